package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"superapp/internal/random"
)

// CreateSubject registers a subject.
func (s *Service) CreateSubject(ctx context.Context, kind SubjectKind, name string) (*Subject, error) {
	if _, err := ParseSubjectKind(string(kind)); err != nil {
		return nil, err
	}
	if err := validateName("name", name); err != nil {
		return nil, err
	}
	sub := &Subject{ID: "sub_" + random.Hex(8), Kind: kind, Name: strings.TrimSpace(name), CreatedAt: s.now().Unix()}
	_, err := s.db.Exec(ctx, "INSERT INTO subjects(id, kind, name, certified, created_at) VALUES (?, ?, ?, 0, ?)",
		sub.ID, string(sub.Kind), sub.Name, sub.CreatedAt)
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// Subject returns one subject.
func (s *Service) Subject(ctx context.Context, id string) (*Subject, error) {
	var sub Subject
	var certified int
	err := s.db.QueryRow(ctx, "SELECT id, kind, name, certified, created_at FROM subjects WHERE id = ?", id).
		Scan(&sub.ID, &sub.Kind, &sub.Name, &certified, &sub.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrSubjectNotFound
	}
	sub.Certified = certified == 1
	return &sub, err
}

// Subjects lists every subject, oldest first.
func (s *Service) Subjects(ctx context.Context) ([]*Subject, error) {
	rows, err := s.db.Query(ctx, "SELECT id, kind, name, certified, created_at FROM subjects ORDER BY created_at, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Subject{}
	for rows.Next() {
		var sub Subject
		var certified int
		if err := rows.Scan(&sub.ID, &sub.Kind, &sub.Name, &certified, &sub.CreatedAt); err != nil {
			return nil, err
		}
		sub.Certified = certified == 1
		out = append(out, &sub)
	}
	return out, rows.Err()
}

// DefaultSubjectName names the enterprise subject that owns apps created
// without --subject, so a developer can start with one command.
const DefaultSubjectName = "Default Enterprise"

// DefaultSubject returns the default enterprise subject, creating it once.
func (s *Service) DefaultSubject(ctx context.Context) (*Subject, error) {
	id, err := s.db.Setting(ctx, "default_subject_id", func() string { return "sub_" + random.Hex(8) })
	if err != nil {
		return nil, err
	}
	_, err = s.db.Exec(ctx, "INSERT INTO subjects(id, kind, name, certified, created_at) VALUES (?, ?, ?, 1, ?) ON CONFLICT (id) DO NOTHING",
		id, string(Enterprise), DefaultSubjectName, s.now().Unix())
	if err != nil {
		return nil, err
	}
	return s.Subject(ctx, id)
}

// subjectOrDefault returns the subject with this id, or the default
// enterprise when id is empty.
func (s *Service) subjectOrDefault(ctx context.Context, id string) (*Subject, error) {
	if id == "" {
		return s.DefaultSubject(ctx)
	}
	return s.Subject(ctx, id)
}
