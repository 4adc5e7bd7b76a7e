"""Safe XML parsing shared by the GPX and TCX readers.

Activity files come from anywhere (watch exports, web converters, e-mail
attachments), so the XML readers treat them as untrusted:

* **No DTDs.**  Entity bombs ("billion laughs", quadratic blow-up) and
  external entities (XXE, ``<!ENTITY x SYSTEM "file:///etc/passwd">``) all
  need a ``<!DOCTYPE ...>`` declaration in the document prolog.  No GPX or TCX
  writer emits one, so any DTD is refused before a parser sees the document:
  :func:`reject_dtd` scans only the prolog (the few bytes before the root
  element, O(prolog length)) for gpxpy and the GPX and TCX fast paths
  (:mod:`runlog.io._gpxfast`, :mod:`runlog.io._tcxfast`), which parse with
  the standard library's :mod:`xml.etree.ElementTree` C parser (the TCX one
  also declines any document that mentions ``<!DOCTYPE``), and
  :func:`parse_xml` (the TCX reference path and fallback) then also
  parses with defusedxml's ``forbid_dtd`` rule built into the C parser (a
  tree builder that raises :class:`defusedxml.DTDForbidden` as soon as
  expat meets a DOCTYPE, before any declaration in it is read).
* **Bytes to text once.**  :func:`xml_text` decodes with the byte-order mark
  or the declared encoding, strips whitespace / BOMs before the XML
  declaration (a real Polar/sports-lib quirk that strict parsers reject) and
  replaces undecodable bytes with U+FFFD (with a warning) instead of losing
  the file.
* **Bounded trees.**  expat and the C ElementTree builder are iterative, but
  copying an element is not: gpxpy deep-copies every ``<extensions>``
  element it reads (``copy.deepcopy`` -> the C ``Element.__deepcopy__``,
  which recurses without a limit), and 300,000 nested elements there crash
  the interpreter (SIGSEGV, no exception).  :func:`check_tree_bounds`
  refuses, with one line, a tree nested deeper than :data:`MAX_XML_DEPTH`
  or an ``<extensions>`` block of more than :data:`MAX_EXTENSION_ELEMENTS`
  elements, before any library sees it.
* **Undeclared namespace prefixes** (``xsi:type`` or ``gpxdata:cadence``
  without their ``xmlns:`` declaration, written by some converters) make the
  document not namespace-well-formed.  :func:`declare_missing_prefixes`
  declares them on the root element so the data can still be read; callers
  do this only after a first parse failed with "unbound prefix", and warn.

The rules the readers share beyond XML (sport names, cadence units, sample
times, records frames) are in :mod:`runlog.io._common`.

References
----------
* W3C, *Extensible Markup Language (XML) 1.0*, 5th ed., 2008, sections 2.8
  (prolog and document type declaration) and 4.3.3 (character encoding).
* W3C, *Namespaces in XML 1.0*, 3rd ed., 2009, section 5 ("namespace
  constraint: prefix declared").
* C. Heimes, *defusedxml* documentation (attack catalogue: billion laughs,
  quadratic blow-up, external entity expansion).
"""

from __future__ import annotations

import codecs
import re
import warnings
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from ..errors import FileFormatError, XmlRecoveryWarning

__all__ = [
    "XmlRecoveryWarning",
    "xml_text",
    "reject_dtd",
    "parse_xml",
    "declare_missing_prefixes",
    "is_unbound_prefix_error",
    "local_name",
    "DTD_MESSAGE",
    "MAX_XML_DEPTH",
    "MAX_EXTENSION_ELEMENTS",
    "check_tree_bounds",
    "check_extension_block",
]

#: Message used whenever a DTD is refused (both readers, both code paths).
DTD_MESSAGE = (
    "contains a DOCTYPE/ENTITY declaration; runlog refuses XML DTDs because they can hide "
    "entity bombs and references to other files on your computer. GPX and TCX files from "
    "watches and apps never have one: export the activity again from the original app")


#: Deepest element nesting runlog reads (the root is level 1).  GPX and TCX files from watches and
#: apps nest at most about 8 levels (gpx/trk/trkseg/trkpt/extensions/TrackPointExtension/hr is 7);
#: 64 leaves room for any real extension while keeping every recursive copy shallow.
MAX_XML_DEPTH = 64

#: Most elements in one ``<extensions>`` block (its own element included).  A track point's Garmin
#: extension holds under 10; a Garmin route point's autorouting extension a few hundred.
MAX_EXTENSION_ELEMENTS = 10_000


def _too_deep(source: str) -> FileFormatError:
    return FileFormatError(
        f"nests XML elements more than {MAX_XML_DEPTH} levels deep (GPX and TCX files from watches and apps "
        "nest fewer than 10); the file is damaged or built to crash readers, and was not read", source)


def _too_large_extension(n: int, source: str) -> FileFormatError:
    return FileFormatError(
        f"has an <extensions> block of {n:,} XML elements (runlog reads at most {MAX_EXTENSION_ELEMENTS:,} "
        "per block; a watch writes fewer than 10 per point); the file is damaged or built to crash readers, "
        "and was not read", source)


def check_extension_block(block: Element, n: int, source: str) -> None:
    """Refuse one ``<extensions>`` block of *n* elements that is too large or too deep.

    Cheap for the usual block: a block of at most :data:`MAX_XML_DEPTH`
    elements cannot nest deeper than that, so only larger blocks are walked
    (level by level, no recursion).

    Parameters
    ----------
    block : Element
        The ``<extensions>`` element.
    n : int
        Its number of elements (``len(list(block.iter()))``), counted by the caller.
    source : str
        File name, for the message.

    Raises
    ------
    FileFormatError
        More than :data:`MAX_EXTENSION_ELEMENTS` elements, or nested deeper than
        :data:`MAX_XML_DEPTH` levels below the block.
    """
    if n <= MAX_XML_DEPTH:
        return
    if n > MAX_EXTENSION_ELEMENTS:
        raise _too_large_extension(n, source)
    level, depth = [block], 1
    while level:
        if depth > MAX_XML_DEPTH:
            raise _too_deep(source)
        level = [c for e in level for c in e]
        depth += 1


def check_tree_bounds(root: Element, source: str) -> int:
    """Refuse a tree nested deeper than :data:`MAX_XML_DEPTH`, or with an oversized ``<extensions>`` block.

    The tree is walked level by level (lists, no recursion), so the walk
    itself is safe on any depth and stops at the first level past the bound.
    Run it before any code that copies or serialises elements recursively
    (gpxpy deep-copies extensions).  Blocks are only counted one by one when
    the whole tree has more than :data:`MAX_EXTENSION_ELEMENTS` elements.

    Parameters
    ----------
    root : Element
        The parsed document (or what of it a library will see).
    source : str
        File name, for the message.

    Returns
    -------
    int
        The number of elements in the tree.

    Raises
    ------
    FileFormatError
        One line naming the bound that was passed.
    """
    level, depth, n = [root], 0, 0
    while level:
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _too_deep(source)
        n += len(level)
        level = [c for e in level for c in e]
    if n > MAX_EXTENSION_ELEMENTS:
        for block in root.iter():
            if isinstance(block.tag, str) and block.tag.rpartition("}")[2] == "extensions":
                size = sum(1 for _ in block.iter())
                if size > MAX_EXTENSION_ELEMENTS:
                    raise _too_large_extension(size, source)
    return n


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._\-]{0,40})["']""")
_WS = b" \t\r\n"


#: Python codecs that turn bytes into text without being a character set (escapes, domain names).
_NOT_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined"})


def _is_character_encoding(name: str) -> bool:
    """True for a codec that decodes bytes to text as a character set (not rot13, base64, punycode, ...)."""
    if name in _NOT_CHARSETS:
        return False
    try:
        b"<".decode(name)  # a bytes-to-bytes or str-to-str codec (base64, zlib, rot13) raises LookupError
    except LookupError:
        return False
    except UnicodeError:  # a real multi-byte encoding given one byte (utf-16)
        pass
    return True


def xml_text(data: bytes, source: str) -> str:
    """Decode an XML activity file to text, ready for a parser.

    Parameters
    ----------
    data : bytes
        The file content.
    source : str
        File name, for messages.

    Returns
    -------
    str
        The document, starting at its first ``<`` (leading whitespace and
        byte-order marks removed).

    Raises
    ------
    FileFormatError
        The content is empty or does not start with ``<`` (not XML), or its
        declaration names a codec that is not a character encoding (rot13,
        base64, punycode, ...; an unknown name is read as UTF-8).

    Notes
    -----
    Encoding: a byte-order mark wins, then UTF-16 detected from ``<?``
    without a BOM, then the ``encoding=`` of the XML declaration (a
    declaration read as ASCII that claims UTF-16/32 is mislabelled: UTF-8),
    else UTF-8
    (XML 1.0, section 4.3.3 and appendix F).  Bytes that are not valid in
    that encoding are replaced by U+FFFD with an :class:`XmlRecoveryWarning`
    (a flipped bit in a name must not cost the whole run).
    """
    head = data.lstrip(_WS)
    enc = None
    for bom, name in _BOMS:
        if head.startswith(bom):
            head, enc = head[len(bom):], name
            break
    if enc is None:
        if head[:2] == b"<\x00" and head[3:4] == b"\x00":
            enc = "utf-16-le"
        elif head[:2] == b"\x00<" and head[2:3] == b"\x00":
            enc = "utf-16-be"
        else:
            head = head.lstrip(_WS)
            m = _DECL_ENCODING.match(head)
            enc = "utf-8"
            if m:
                declared = m.group(1).decode("ascii")
                try:
                    enc = codecs.lookup(declared).name
                except LookupError:
                    enc = "utf-8"
                if not _is_character_encoding(enc):
                    raise FileFormatError(
                        f"declares encoding=\"{declared}\", which is not a character encoding (XML 1.0, section "
                        "4.3.3); the file is damaged or mislabelled: save it again as UTF-8", source)
                if enc.startswith(("utf-16", "utf-32")):  # the declaration itself was 8-bit: mislabelled
                    enc = "utf-8"
    try:
        text = head.decode(enc)
    except UnicodeDecodeError as exc:
        text = head.decode(enc, errors="replace")
        warnings.warn(
            f"{source}: {text.count(chr(0xFFFD))} character(s) are not valid {enc} "
            f"(first at byte {exc.start}); they were replaced by '\ufffd' and the rest of the "
            "file was read", XmlRecoveryWarning, stacklevel=3)
    text = text.lstrip(" \t\r\n\ufeff")
    if not text:
        raise FileFormatError("is empty (no XML content)", source)
    if not text.startswith("<"):
        raise FileFormatError(
            f"does not start with an XML tag (found {text[:20]!r}); it is not a GPX/TCX file or is "
            "damaged", source)
    return text


def reject_dtd(text: str, source: str) -> int:
    """Refuse a document whose prolog holds a DOCTYPE (or any other ``<!`` declaration).

    Only the prolog is scanned: the XML declaration, processing
    instructions, comments and whitespace before the root element (XML 1.0
    section 2.8).  A DTD anywhere else is a well-formedness error the parser
    reports itself, before it could declare an entity, so this check is
    complete and costs O(prolog length), not O(file length).

    Parameters
    ----------
    text : str
        Document as returned by :func:`xml_text`.
    source : str
        File name, for the message.

    Returns
    -------
    int
        Index of the root element's ``<`` in *text* (-1 when the prolog is
        unterminated or there is no root element).

    Raises
    ------
    FileFormatError
        With :data:`DTD_MESSAGE` when a ``<!DOCTYPE`` / ``<!ENTITY`` (any
        ``<!`` that is not a comment) precedes the root element.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return -1  # unterminated PI: the parser reports it
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return -1
            i = j + 3
        elif text.startswith("<!", i):
            raise FileFormatError(DTD_MESSAGE, source)
        else:
            return i  # root element (or garbage the parser reports)
    return -1


# Possessive quantifiers (*+): a name never backtracks into itself (':' / '=' / quotes are not
# name characters), so the matches are those of the plain patterns, found ~20 % faster.
_TAG_PREFIX = re.compile(r"</?([A-Za-z_][\w.\-]*+):[A-Za-z_]")
_ATTR_PREFIX = re.compile(r"""\s([A-Za-z_][\w.\-]*+):[A-Za-z_][\w.\-]*+\s*+=\s*+["']""")
_DECLARED = re.compile(r"""xmlns:([A-Za-z_][\w.\-]*)\s*=""")
_ROOT_START = re.compile(r"<([A-Za-z_][\w.\-:]*)")

#: Namespace URIs of prefixes that converters commonly forget to declare.
KNOWN_PREFIXES = {
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "gpxdata": "http://www.cluetrust.com/XML/GPXDATA/1/0",
    "gpxtpx": "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    "gpxx": "http://www.garmin.com/xmlschemas/GpxExtensions/v3",
}


def is_unbound_prefix_error(exc: BaseException) -> bool:
    """True when *exc* (or the exception it wraps) is expat's "unbound prefix" error.

    Parameters
    ----------
    exc : BaseException
        An exception raised while parsing.

    Returns
    -------
    bool
    """
    for e in (exc, getattr(exc, "original_exception", None), exc.__cause__):
        if e is not None and "unbound prefix" in str(e):
            return True
    return False


def parse_declaring_prefixes(text: str, parse) -> tuple[Element, list[str], BaseException | None] | None:
    """Parse *text* with *parse*; on an "unbound prefix" error declare the missing prefixes and parse again.

    The first step of the GPX and TCX fast paths (:mod:`runlog.io._gpxfast`,
    :mod:`runlog.io._tcxfast`), which each word the warning as their
    reference path does.

    Parameters
    ----------
    text : str
        The document.
    parse : callable
        str -> root element (e.g. :func:`xml.etree.ElementTree.XML`).

    Returns
    -------
    (root, prefixes, first_error) or None
        The root, the prefixes declared (empty when none were needed) and the
        error of the first parse (None when it parsed at once); None when the
        document does not parse, before or after the repair (the reference
        path then reports why).  Memory and recursion errors are raised.
    """
    try:
        return parse(text), [], None
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # whatever it is, the reference path reports it
        if not is_unbound_prefix_error(exc):
            return None
        first = exc
    fixed, prefixes = declare_missing_prefixes(text)
    if not prefixes:
        return None
    try:
        return parse(fixed), prefixes, first
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return None


def declare_missing_prefixes(text: str) -> tuple[str, list[str]]:
    """Declare on the root element every namespace prefix used but never declared.

    Parameters
    ----------
    text : str
        Document whose parse failed with "unbound prefix".

    Returns
    -------
    (text, prefixes) : str and list of str
        The repaired document (unchanged when nothing was missing) and the
        prefixes that were declared.  Well-known prefixes get their usual URI
        (:data:`KNOWN_PREFIXES`), others ``urn:runlog:undeclared:<prefix>``;
        runlog reads extension values by local name, so the URI only has to
        be unique.
    """
    used = set(_TAG_PREFIX.findall(text)) | set(_ATTR_PREFIX.findall(text))
    missing = sorted(used - set(_DECLARED.findall(text)) - {"xml", "xmlns"})
    if not missing:
        return text, []
    m = _ROOT_START.search(text)  # the root element: '<?' and '<!' do not match
    if m is None:
        return text, []
    decl = "".join(f' xmlns:{p}="{KNOWN_PREFIXES.get(p, "urn:runlog:undeclared:" + p)}"' for p in missing)
    return text[:m.end()] + decl + text[m.end():], missing


def _position(exc: BaseException) -> str:
    pos = getattr(exc, "position", None)
    if pos:
        return f" at line {pos[0]}, column {pos[1]}"
    return ""


class _NoDTDTreeBuilder(TreeBuilder):
    """The C tree builder, refusing any DOCTYPE the moment the parser meets one.

    expat reports the start of a document type declaration before it reads
    anything inside it, so no entity is declared, expanded or fetched: the
    rule of :mod:`defusedxml`'s ``forbid_dtd`` (which also covers its
    ``forbid_entities`` and ``forbid_external``, as entities need a DTD),
    kept in the standard library's C parser.  defusedxml's own parser is the
    pure-Python one (it needs expat's handlers), about twice as slow on a
    large TCX file.
    """

    def doctype(self, name, pubid, system):
        """Refuse the DOCTYPE (called by the parser at its start).

        Parameters
        ----------
        name, pubid, system : str or None
            The declaration's root name and public / system identifiers.

        Raises
        ------
        defusedxml.DTDForbidden
            Always.
        """
        from defusedxml import DTDForbidden

        raise DTDForbidden(name, system, pubid)


def _fromstring(text: str) -> Element:
    """Parse with the C parser and :class:`_NoDTDTreeBuilder` (comments and PIs dropped, as by default)."""
    parser = XMLParser(target=_NoDTDTreeBuilder())
    parser.feed(text)
    return parser.close()


def parse_xml(text: str, source: str, *, what: str = "XML") -> Element:
    """Parse untrusted XML text: no DTD, hence no entities and no external references.

    :func:`reject_dtd` first, then the standard library's C parser with a
    tree builder that refuses any DOCTYPE (defusedxml's ``forbid_dtd``
    rule; entities and external references need a DTD).  A document failing with "unbound prefix" is repaired once with
    :func:`declare_missing_prefixes` (with an :class:`XmlRecoveryWarning`).

    Parameters
    ----------
    text : str
        Document from :func:`xml_text`.
    source : str
        File name, for messages.
    what : str
        Format name used in messages ('TCX').

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element.

    Raises
    ------
    FileFormatError
        DTD / entity declarations (:data:`DTD_MESSAGE`) or malformed XML
        (with the parser's line and column); the parser's exception is
        chained.
    """
    from defusedxml import DefusedXmlException

    reject_dtd(text, source)
    try:
        return _fromstring(text)
    except DefusedXmlException as exc:
        raise FileFormatError(DTD_MESSAGE, source) from exc
    except ParseError as exc:
        if not is_unbound_prefix_error(exc):
            raise FileFormatError(
                f"is not well-formed {what}: {exc}. The file is damaged or was cut short; export it "
                "again from the watch or app", source) from exc
        first = exc
    fixed, prefixes = declare_missing_prefixes(text)
    if prefixes:
        try:
            root = _fromstring(fixed)
        except (DefusedXmlException, ParseError):
            root = None
        if root is not None:
            warnings.warn(
                f"{source}: namespace prefix(es) {', '.join(prefixes)} used without a declaration "
                f"({first}); declared them and read the file", XmlRecoveryWarning, stacklevel=3)
            return root
    raise FileFormatError(
        f"is not well-formed {what}: {first}{_position(first) if 'line' not in str(first) else ''}. "
        "A namespace prefix is used without its xmlns declaration and could not be repaired; "
        "export the file again from the original app", source) from first


def local_name(tag) -> str:
    """Tag without its ``{namespace}`` part (``'{http://...}hr'`` -> ``'hr'``); '' for comments/PIs.

    Parameters
    ----------
    tag : str or other
        An element's ``tag`` (a function for comments and processing
        instructions).

    Returns
    -------
    str
        The local name.
    """
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]
