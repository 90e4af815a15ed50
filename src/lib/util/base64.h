/* ferry: base64 (RFC 4648), with Go's encoding/base64 as the model, since
 * the files and signatures ferry reads were mostly written by Go
 * (containers/image, cosign, go-jose) and Podman's errors are Go's.  */
#ifndef FERRY_UTIL_BASE64_H
#define FERRY_UTIL_BASE64_H

#include <stddef.h>
#include <sys/types.h>

/* Go's four encodings.  */
enum ferry_base64_encoding
{
  FERRY_BASE64_STD,     /* StdEncoding: "+/", padded with '=' */
  FERRY_BASE64_RAW_STD, /* RawStdEncoding: "+/", no padding */
  FERRY_BASE64_URL,     /* URLEncoding: "-_", padded */
  FERRY_BASE64_RAW_URL, /* RawURLEncoding: "-_", no padding */
};

/* Decoding flags.  None: Go's DecodeString.  */
enum
{
  /* Go's Encoding.Strict(): the bits past the last byte must be zero, so
   * that one text stands for one value.  */
  FERRY_BASE64_STRICT = 1 << 0,
  /* CR and LF are bad bytes (Go skips them anywhere).  */
  FERRY_BASE64_NO_NEWLINES = 1 << 1,
  /* Only the one text that encodes the bytes.  */
  FERRY_BASE64_CANONICAL = FERRY_BASE64_STRICT | FERRY_BASE64_NO_NEWLINES,
};

/* The LEN bytes at DATA encoded: a new NUL-terminated string.  */
char *ferry_base64_encode (enum ferry_base64_encoding enc, const void *data, size_t len);

/* The most bytes LEN characters decode to (Go's DecodedLen, for any
 * encoding).  */
size_t ferry_base64_decoded_max (size_t len);

/* Decodes the LEN characters at TEXT into OUT (room for
 * ferry_base64_decoded_max (LEN) bytes): the number of bytes, or -1 with
 * *BAD (when BAD is not NULL) the offset Go reports for the input
 * ("illegal base64 data at input byte N", its CorruptInputError).  */
ssize_t ferry_base64_decode_to (enum ferry_base64_encoding enc, unsigned flags, const char *text, size_t len,
                                unsigned char *out, size_t *bad);

/* As ferry_base64_decode_to, into a new buffer, NUL-terminated (the NUL
 * not counted in *OUT_LEN); NULL on bad input (*BAD as above).  */
unsigned char *ferry_base64_decode (enum ferry_base64_encoding enc, unsigned flags, const char *text,
                                    size_t len, size_t *out_len, size_t *bad);

#endif
