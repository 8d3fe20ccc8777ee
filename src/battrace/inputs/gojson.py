"""A JSON syntax check that fails exactly where, and with the words, Go's decoder does.

The reference server decodes bodies with Go's `json.Decoder`, and clients see its syntax
error text (``invalid character ',' looking for beginning of value``). Python's parser
stops at other places with other words, so bodies are first scanned here, byte by byte,
following the states of Go's `encoding/json` scanner. Like `Decoder.Decode`, only the first
JSON value counts: anything after it is ignored. A body that ends inside a value is
"truncated" (Go reports io.ErrUnexpectedEOF, which the reference turns into an empty detail).
"""

from __future__ import annotations

from dataclasses import dataclass

_WHITESPACE = b" \t\r\n"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'"\\/bfnrtu'


class GoSyntaxError(ValueError):
    """Go's `*json.SyntaxError`: `message` is its Error() text."""


class Truncated(ValueError):
    """The body ended inside a JSON value (Go's io.ErrUnexpectedEOF)."""


def quote_char(byte: int) -> str:
    """Go's `quoteChar`: how the scanner shows the offending byte."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    char = chr(byte)  # Go converts the single byte to a rune: Latin-1
    named = {
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
        "\\": "\\\\",
    }
    if char in named:
        return f"'{named[char]}'"
    if byte < 0x20 or byte == 0x7F:
        return f"'\\x{byte:02x}'"
    if 0x80 <= byte < 0xA0 or byte == 0xAD:
        return f"'\\u{byte:04x}'"
    return f"'{char}'"


MAX_DEPTH = 32  # arrays and objects inside each other; no body of battrace's needs 10


class TooDeep(GoSyntaxError):
    """The value nests arrays and objects deeper than `MAX_DEPTH` (Go stops at 10,000)."""


@dataclass
class _Scanner:
    data: bytes
    pos: int = 0
    depth: int = 0

    def fail(self, context: str) -> GoSyntaxError:
        return GoSyntaxError(f"invalid character {quote_char(self.data[self.pos])} {context}")

    def peek(self) -> int:
        if self.pos >= len(self.data):
            raise Truncated
        return self.data[self.pos]

    def skip_space(self) -> None:
        while self.pos < len(self.data) and self.data[self.pos] in _WHITESPACE:
            self.pos += 1

    def value(self) -> None:
        self.skip_space()
        byte = self.peek()
        if byte in b"{[":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise TooDeep(f"exceeded max depth ({MAX_DEPTH} nested arrays and objects)")
            self.pos += 1
            if byte == ord("{"):
                self.object()
            else:
                self.array()
            self.depth -= 1
        elif byte == ord('"'):
            self.pos += 1
            self.string()
        elif byte == ord("-") or ord("0") <= byte <= ord("9"):
            self.number()
        elif byte in b"tfn":
            self.literal()
        else:
            raise self.fail("looking for beginning of value")

    def object(self) -> None:
        self.skip_space()
        if self.peek() == ord("}"):
            self.pos += 1
            return
        while True:
            self.skip_space()
            if self.peek() != ord('"'):
                raise self.fail("looking for beginning of object key string")
            self.pos += 1
            self.string()
            self.skip_space()
            if self.peek() != ord(":"):
                raise self.fail("after object key")
            self.pos += 1
            self.value()
            self.skip_space()
            byte = self.peek()
            if byte == ord(","):
                self.pos += 1
                continue
            if byte == ord("}"):
                self.pos += 1
                return
            raise self.fail("after object key:value pair")

    def array(self) -> None:
        self.skip_space()
        if self.peek() == ord("]"):
            self.pos += 1
            return
        while True:
            self.value()
            self.skip_space()
            byte = self.peek()
            if byte == ord(","):
                self.pos += 1
                continue
            if byte == ord("]"):
                self.pos += 1
                return
            raise self.fail("after array element")

    def string(self) -> None:
        while True:
            byte = self.peek()
            if byte == ord('"'):
                self.pos += 1
                return
            if byte < 0x20:
                raise self.fail("in string literal")
            self.pos += 1
            if byte == ord("\\"):
                escape = self.peek()
                if escape not in _ESCAPES:
                    raise self.fail("in string escape code")
                self.pos += 1
                if escape == ord("u"):
                    for _ in range(4):
                        if self.peek() not in _HEX:
                            raise self.fail("in \\u hexadecimal character escape")
                        self.pos += 1

    def number(self) -> None:
        if self.peek() == ord("-"):
            self.pos += 1
            if not self._digit(self.peek()):
                raise self.fail("in numeric literal")
        if self.peek() == ord("0"):
            self.pos += 1
        else:
            while self.pos < len(self.data) and self._digit(self.data[self.pos]):
                self.pos += 1
        if self.pos < len(self.data) and self.data[self.pos] == ord("."):
            self.pos += 1
            if not self._digit(self.peek()):
                raise self.fail("after decimal point in numeric literal")
            while self.pos < len(self.data) and self._digit(self.data[self.pos]):
                self.pos += 1
        if self.pos < len(self.data) and self.data[self.pos] in b"eE":
            self.pos += 1
            if self.peek() in b"+-":
                self.pos += 1
            if not self._digit(self.peek()):
                raise self.fail("in exponent of numeric literal")
            while self.pos < len(self.data) and self._digit(self.data[self.pos]):
                self.pos += 1

    @staticmethod
    def _digit(byte: int) -> bool:
        return ord("0") <= byte <= ord("9")

    def literal(self) -> None:
        word = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}[self.peek()]
        self.pos += 1
        for expected in word[1:]:
            if self.peek() != expected:
                raise self.fail(f"in literal {word.decode()} (expecting {quote_char(expected)})")
            self.pos += 1


def first_value_end(data: bytes) -> int:
    """Check the first JSON value in `data`; return the offset just after it.

    Raises GoSyntaxError (with Go's message) or Truncated.
    """
    scanner = _Scanner(data)
    scanner.value()
    return scanner.pos
