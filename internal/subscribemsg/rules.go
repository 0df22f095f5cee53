package subscribemsg

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DataError is a value of a send's data that its keyword's rule refuses;
// WeChat answers 47003 "argument invalid! data.<key>.value <problem>".
type DataError struct {
	Key     string
	Problem string
}

func (e *DataError) Error() string { return "argument invalid! data." + e.Key + ".value " + e.Problem }

var (
	numberRE  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	letterRE  = regexp.MustCompile(`^[A-Za-z]+$`)
	amountRE  = regexp.MustCompile(`^[¥￥$€£]?[0-9]{1,12}(\.[0-9]{1,2})?元?$`)
	phoneRE   = regexp.MustCompile(`^[0-9+\-() ]+$`)
	clockRE   = `[0-2]?[0-9]:[0-5][0-9](:[0-5][0-9])?`
	dayRE     = `([0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日|[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2})`
	timeRE    = regexp.MustCompile(`^(` + dayRE + ` ?)?` + clockRE + `$`)
	dateRE    = regexp.MustCompile(`^` + dayRE + `( ?` + clockRE + `)?$`)
	carRE     = regexp.MustCompile(`^\p{Han}?[A-Za-z0-9]+\p{Han}?$`)
	hanOnlyRE = regexp.MustCompile(`^\p{Han}+$`)
)

// checkValue applies WeChat's rule for one keyword value (the value rules
// of 发送订阅消息: length limits per rule and which characters each allows).
func checkValue(key, rule, v string) error {
	bad := func(format string, args ...any) error {
		return &DataError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(v) == "" {
		return bad("is emtpy") // sic: WeChat's spelling
	}
	n := utf8.RuneCountInString(v)
	switch rule {
	case RuleThing:
		if n > 20 {
			return bad("exceeds 20 characters (thing)")
		}
	case RuleNumber:
		if n > 32 || !numberRE.MatchString(v) {
			return bad("must be digits, up to 32, optionally with decimals (number)")
		}
	case RuleLetter:
		if n > 32 || !letterRE.MatchString(v) {
			return bad("must be letters only, up to 32 (letter)")
		}
	case RuleSymbol:
		if n > 5 || strings.IndexFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) }) >= 0 {
			return bad("must be symbols only, up to 5 (symbol)")
		}
	case RuleCharacterString:
		if n > 32 || strings.IndexFunc(v, func(r rune) bool { return r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return bad("must be digits, letters or symbols, up to 32 (character_string)")
		}
	case RuleTime:
		if !eachPoint(v, timeRE) {
			return bad("must be a 24-hour time such as 15:01 or 2019年10月1日 15:01 (time)")
		}
	case RuleDate:
		if !eachPoint(v, dateRE) {
			return bad("must be a date such as 2019年10月1日 or 2019-10-01 15:01 (date)")
		}
	case RuleAmount:
		if !amountRE.MatchString(v) {
			return bad("must be an amount such as ¥100.00: one currency sign and up to 12 digits (amount)")
		}
	case RulePhoneNumber:
		if n > 17 || !phoneRE.MatchString(v) {
			return bad("must be digits and symbols, up to 17 (phone_number)")
		}
	case RuleCarNumber:
		if n > 8 || !carRE.MatchString(v) {
			return bad("must be a plate number, up to 8 characters (car_number)")
		}
	case RuleName:
		han := hanOnlyRE.MatchString(v)
		if (han && n > 10) || (!han && (n > 20 || strings.IndexFunc(v, func(r rune) bool { return r > unicode.MaxASCII || unicode.IsDigit(r) }) >= 0)) {
			return bad("must be up to 10 Chinese characters or up to 20 letters (name)")
		}
	case RulePhrase:
		if n > 5 || !hanOnlyRE.MatchString(v) {
			return bad("must be up to 5 Chinese characters (phrase)")
		}
	}
	return nil
}

// eachPoint: a time or date value may be a range of two points joined by "~".
func eachPoint(v string, re *regexp.Regexp) bool {
	parts := strings.Split(v, "~")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if !re.MatchString(strings.TrimSpace(p)) {
			return false
		}
	}
	return true
}
