package officialaccount

import "context"

// Click raises the CLICK event of the button with key in the menu userID
// sees. TODO(menus helper): implement.
func (s *Service) Click(ctx context.Context, appid, userID, key string) (*ActResult, error) {
	return nil, nil
}
