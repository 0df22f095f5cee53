package officialaccount

import (
	"context"
	"errors"
)

// ErrMediaNotFound means no live temporary media has this id.
var ErrMediaNotFound = errors.New("media not found or expired")

// MediaContent returns a temporary media file (for the shell to show).
// TODO(push helper): implement.
func (s *Service) MediaContent(ctx context.Context, mediaID string) (contentType, filename string, data []byte, err error) {
	return "", "", nil, ErrMediaNotFound
}
