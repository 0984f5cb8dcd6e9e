/* The QR code GoTrue puts in a TOTP enrollment (mfa.go enrollTOTPFactor):
 * boombuler/barcode's qr.Encode(text, qr.H, qr.Auto) drawn by
 * aaronarduino/goqrsvg with 3-pixel blocks through ajstarks/svgo. */
#ifndef MOCK_QR_H
#define MOCK_QR_H

/* The SVG document for text (heap string), or NULL when the text does not
 * fit a version-40 code at level H. Only texts that are not all digits nor
 * all QR alphanumerics (byte mode) are encoded as the library does; an
 * otpauth:// URL is always such a text. */
char *qr_svg(const char *text);

#endif
