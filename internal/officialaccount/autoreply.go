package officialaccount

import (
	"context"

	"superapp/internal/account"
	"superapp/internal/store"
)

// autoReplies returns the account's automatic answer to in (reply on follow,
// keyword, default), used when no developer server is configured.
// TODO(menus helper): implement.
func (s *Service) autoReplies(ctx context.Context, tx *store.Tx, app *account.App, in *Inbound) ([]*Message, error) {
	return nil, nil
}
