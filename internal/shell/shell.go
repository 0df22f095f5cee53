// Package shell serves the end users' super app (web/shell) and its JSON API.
package shell

import (
	"net/http"

	"superapp/internal/platform"
)

// Shell is the end-user web app.
type Shell struct{ p *platform.Platform }

// New returns the shell.
func New(p *platform.Platform) *Shell { return &Shell{p: p} }

// Register adds the shell's routes.
func (s *Shell) Register(mux *http.ServeMux) {}
