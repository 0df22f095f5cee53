package platform

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"superapp/internal/account"
	"superapp/internal/miniprogram/host"
	"superapp/internal/release"
	"superapp/internal/review"
)

// sourceReviewer runs the automated review rules over a version's sources:
// the zip an upload stored beside its build (Version.SourceHash), unpacked
// into a temporary directory, with what the platform knows of the app —
// its name, its subject, its categories and the subject's qualifications.
type sourceReviewer struct {
	accounts *account.Service
	files    *host.Registry
}

// Limits on a source zip, so a hostile upload cannot fill the disk.
const (
	maxSourceFiles = 20_000
	maxSourceBytes = 64 << 20
)

func (r sourceReviewer) Review(ctx context.Context, appid string, v *release.Version) ([]review.Finding, error) {
	meta, err := r.meta(ctx, appid)
	if err != nil {
		return nil, err
	}
	if v.SourceHash == "" {
		// An upload without sources (a client other than `superapp
		// upload`): the person reviewing is told the rules did not run.
		return []review.Finding{{Rule: "sources", Severity: review.Warn,
			Message: "the upload carried no sources, so the automated rules could not run; review the code by hand"}}, nil
	}
	data, err := r.files.File(ctx, v.SourceHash)
	if err != nil {
		return nil, fmt.Errorf("version %d: its sources %s: %w", v.ID, v.SourceHash, err)
	}
	dir, err := os.MkdirTemp("", "superapp-review-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := unzipSources(data, dir); err != nil {
		return nil, fmt.Errorf("version %d: its sources: %w", v.ID, err)
	}
	return review.CheckDir(dir, meta)
}

func (r sourceReviewer) meta(ctx context.Context, appid string) (review.AppMeta, error) {
	app, err := r.accounts.App(ctx, appid)
	if err != nil {
		return review.AppMeta{}, err
	}
	sub, err := r.accounts.Subject(ctx, app.SubjectID)
	if err != nil {
		return review.AppMeta{}, err
	}
	cats, err := r.accounts.AppCategories(ctx, appid)
	if err != nil {
		return review.AppMeta{}, err
	}
	quals, err := r.accounts.Qualifications(ctx, sub.ID)
	if err != nil {
		return review.AppMeta{}, err
	}
	meta := review.AppMeta{Name: app.Name, SubjectName: sub.Name, SubjectKind: string(sub.Kind), Qualifications: quals}
	for _, c := range cats {
		meta.Categories = append(meta.Categories, review.Category{First: c.First, Second: c.Second})
	}
	return meta, nil
}

// unzipSources writes a source zip's regular files under dir, refusing
// paths that leave it and archives over the limits.
func unzipSources(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	if len(zr.File) > maxSourceFiles {
		return fmt.Errorf("%d files; at most %d", len(zr.File), maxSourceFiles)
	}
	var total int64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := path.Clean(f.Name)
		if !f.Mode().IsRegular() || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("%q is not a file inside the project", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxSourceBytes-total+1))
		rc.Close()
		if err != nil {
			return err
		}
		if total += int64(len(b)); total > maxSourceBytes {
			return fmt.Errorf("more than %d MB unpacked", maxSourceBytes>>20)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
