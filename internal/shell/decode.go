package shell

// Reading codes in pictures: the shell's scanner (QR codes of accounts and
// links) and wx.scanCode (any code a mini program asks for).

import (
	"errors"
	"image"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads the text of the QR code in img. gozxing's detector
// misjudges a few codes in a thousand even in clean images (ours); reading
// the image as a bare code (PURE_BARCODE) finds those, so both are tried.
func DecodeQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := decodeBoth(qrcode.NewQRCodeReader(), bmp)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// decodeBoth decodes with r searching the picture (TRY_HARDER), then as a
// bare code filling it (PURE_BARCODE).
func decodeBoth(r gozxing.Reader, bmp *gozxing.BinaryBitmap) (*gozxing.Result, error) {
	res, err := r.Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		res, err = r.Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
	return res, err
}

// ErrNoCode says a picture holds no code of the kinds asked for.
var ErrNoCode = errors.New("no code of the kinds asked for in the picture")

// DecodeCode reads the code in img of one of scanTypes, wx.scanCode's
// kinds: "qrCode", "barCode" (EAN-13/8, UPC-A/E, Code 128/39/93, ITF,
// Codabar), "datamatrix"; none means WeChat's default, barCode and qrCode.
// ("pdf417" is accepted but this decoder has no PDF417 reader.) format is
// the code's kind as WeChat's scanType answers it: "QR_CODE", "EAN_13"…
func DecodeCode(img image.Image, scanTypes []string) (text, format string, err error) {
	if len(scanTypes) == 0 {
		scanTypes = []string{"barCode", "qrCode"}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", "", err
	}
	var readers []gozxing.Reader
	if slices.Contains(scanTypes, "qrCode") {
		readers = append(readers, qrcode.NewQRCodeReader())
	}
	if slices.Contains(scanTypes, "datamatrix") {
		readers = append(readers, datamatrix.NewDataMatrixReader())
	}
	if slices.Contains(scanTypes, "barCode") {
		readers = append(readers, oned.NewMultiFormatUPCEANReader(nil), oned.NewCode128Reader(), oned.NewCode39Reader(),
			oned.NewCode93Reader(), oned.NewITFReader(), oned.NewCodaBarReader())
	}
	for _, r := range readers {
		if res, err := decodeBoth(r, bmp); err == nil {
			return res.GetText(), res.GetBarcodeFormat().String(), nil
		}
	}
	return "", "", ErrNoCode
}
