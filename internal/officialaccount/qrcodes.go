package officialaccount

import (
	"context"
	"errors"
)

// Errors of QR codes.
var (
	ErrQRCodeNotFound = errors.New("no such QR code")
	ErrQRCodeExpired  = errors.New("this QR code has expired")
)

// ScanResult is what scanning an account's QR code did.
type ScanResult struct {
	AppID string `json:"appid"`
	*ActResult
}

// ScanQR is a user scanning (or opening the URL of) the QR code with this
// code (the last path element of its /q/<code> URL): a new follower follows
// with the code's scene, a follower raises SCAN.
// TODO(QR helper): implement.
func (s *Service) ScanQR(ctx context.Context, userID, code string) (*ScanResult, error) {
	return nil, errors.New("QR codes are not implemented yet")
}
