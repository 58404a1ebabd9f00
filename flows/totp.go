package flows

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/b2bauth/b2bauth/client"
)

// pendingTOTP is an authenticator app registration created in a flow and
// not yet confirmed by a code. It lives in the encrypted flow cookie, never
// in a URL, until the flow ends: the page promised the secret and the
// recovery codes would not change, and a second create at Stytch would
// replace them. The QR code (a few kilobytes) does not fit the cookie: it is
// drawn again from the secret.
type pendingTOTP struct {
	Secret        string   `json:"s"`
	RecoveryCodes []string `json:"rc,omitempty"`
	// Issuer and Account label the entry in the authenticator app: the
	// organization's name and the member's email.
	Issuer  string `json:"is,omitempty"`
	Account string `json:"ac,omitempty"`
}

// pendingFrom keeps what a new registration shows.
func pendingFrom(res *client.TOTPsCreateResponse) *pendingTOTP {
	return &pendingTOTP{
		Secret:        res.Secret,
		RecoveryCodes: res.RecoveryCodes,
		Issuer:        res.Organization.OrganizationName,
		Account:       res.Member.EmailAddress,
	}
}

// enrollment is what the page shows of p, with the QR code Stytch drew when
// there is one, else one drawn from the secret.
func (p *pendingTOTP) enrollment(stytchQR string) *TOTPEnrollment {
	codes := p.RecoveryCodes
	if codes == nil {
		codes = []string{}
	}
	qr := qrCodeURL(stytchQR)
	if qr == "" {
		qr = p.qrCode()
	}
	return &TOTPEnrollment{QRCode: qr, Secret: p.Secret, RecoveryCodes: codes}
}

// qrCode draws the otpauth URI of the secret (SHA-1, 6 digits, 30 seconds,
// as Stytch's registrations) as a PNG data URL, or "" when the secret is not
// base32.
func (p *pendingTOTP) qrCode() template.URL {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(p.Secret, "=")))
	if err != nil || len(raw) == 0 {
		return ""
	}
	issuer, account := p.Issuer, p.Account
	if issuer == "" {
		issuer = "Stytch"
	}
	if account == "" {
		account = "member"
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Secret: raw,
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return ""
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return qrCodeURL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// showTOTPEnrollment answers with the flow's pending registration: its page
// (with p's error, if any) for browsers, totpEnrollBody for JSON clients.
func (h *Handler) showTOTPEnrollment(w http.ResponseWriter, r *http.Request, st *flowState, status int, p *Page, stytchQR string) {
	e := st.TOTP.enrollment(stytchQR)
	if wantsJSON(r) {
		h.writeJSON(w, status, totpEnrollBody{
			Next: "totp_enroll", Secret: e.Secret, QRCode: string(e.QRCode), RecoveryCodes: e.RecoveryCodes,
		})
		return
	}
	if p == nil {
		p = &Page{}
	}
	p.Step, p.ReturnTo, p.Methods, p.TOTP = "totp_enroll", st.ReturnTo, st.Methods, e
	if st.Step == stepStepUp {
		p.StepUp, p.BackURL = true, h.backPath(st.ReturnTo)
	}
	h.render(w, r, status, "totp_enroll.html", p)
}
