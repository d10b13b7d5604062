#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/<target>_corpus/): small, hand-picked inputs
that reach each scanner and each branch of the request path. Run from the repository root:
    python3 fuzz/make_seeds.py
Regression inputs found by fuzzing are added to the same folders by hand, named regress-<what>."""
import hashlib, os, struct, sys

ROOT = os.path.dirname(os.path.abspath(__file__))

TEXT = [
    "Kurt M. Campbell met officials in Niamey on Jan. 5. The U.S. troops leave Niger.",
    "Dr. Smith paid $3.5 million (about 1,100 euros) to j.doe@example.com; see https://example.com/a_(b).",
    "I love it!!! :) But the ending... ugh :( #fail @someone",
    "\u00c9mile Zola \u00e9crivait \u00e0 Paris. \u4e2d\u6587\u5206\u8bcd\u6d4b\u8bd5\u3002 \u0634\u0643\u0631\u0627 \u05e9\u05dc\u05d5\u05dd",
    "e\u0301\u0301\u0301 \U0001F600\u200d\U0001F680 \U0001F1FA\U0001F1F8 \u2026 \u201cquoted\u201d \u2019tis",
    "line one\nline two continues\n\nNew paragraph. Another one? Yes! www.example.org",
    "a_a_a_a_a_a_a_a_ http://a.b/)))))) \"\"\"\"\" ((((( ----- ..... A.B.C.D.E.",
    "", " ", "\n\n\n", "A", "1,000,000.50 3:30 p.m. e.g. i.e. Ph.D. U.S.A.",
]
HTML = [
    "<html><head><title>T</title><script>var x = '<p>';</script></head><body><h1>Niger talks</h1>"
    "<p>The U.S. <b>left</b>.</p><ul><li>One<li>Two</ul></body></html>",
    "<p>Caf&eacute; &amp; Niger&#8217;s AT&T &notanentity &#x1F600; &#0; &#xD800;</p>",
    "<table><tr><td>a<td>b<tr><td>c</table><div><div><div>deep</div></div></div>",
    "<b><i><u>x</b></i></u><p><b>y</p><a href=\"x>y\">link</a><!-- comment --><?pi?>",
    "<svg><text>drawn</text></svg><template><p>hidden</template><textarea><b>raw</b></textarea>",
    "<p title=\"unclosed", "<!--unclosed comment", "<plaintext><b>all text",
    "<div>" * 300 + "text" + "</div>" * 300,
    "<p><b>x</p>" * 80,
]

def write(folder, items):
    path = os.path.join(ROOT, folder)
    os.makedirs(path, exist_ok=True)
    for data in items:
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)

def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload

def request(content, html=False, features=(), encoding=0, options=(), raw=False):
    """An AnalyzeRequest on the wire (docanalysis.v1): document=1 {id=1, content=2, type=3,
    language=4, raw_content=5}, features=2, encoding_type=3, options=4 (map)."""
    doc = field(1, 2, b"doc-1")
    doc += field(5 if raw else 2, 2, content.encode("utf-8") if isinstance(content, str) else content)
    if html:
        doc += field(3, 0, varint(1))
    msg = field(1, 2, doc)
    for f in features:
        msg += field(2, 2, f.encode())
    if encoding:
        msg += field(3, 0, varint(encoding))
    for k, v in options:
        msg += field(4, 2, field(1, 2, k.encode()) + field(2, 2, v.encode()))
    return msg

def main():
    write("utf8_fuzzer_corpus", TEXT + [b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"ok\xe2\x82"])
    write("segmenter_fuzzer_corpus", TEXT)
    write("html_fuzzer_corpus", HTML)
    write("plugin_corpus", TEXT + ["#max_sentences=2\n" + TEXT[0], "#neutral_threshold=-1\n" + TEXT[2],
                                  "#min_confidence=abc\n" + TEXT[1]])
    manifests = []
    for p in ("entity", "sentiment", "summary"):
        with open(os.path.join(ROOT, "..", "plugins", p, "plugin.json"), "rb") as f:
            manifests.append(f.read())
    manifests += [b"{}", b"[]", b'{"name": "x", "library": "../x.so"}', b'{"name": 1}', b"[" * 100 + b"]" * 100]
    write("manifest_fuzzer_corpus", manifests)
    reqs = [request(t, features=("entities", "sentiment", "summary"), encoding=e) for t in TEXT[:6] for e in (0, 2, 3)]
    reqs += [request(h, html=True) for h in HTML[:5]]
    reqs += [request(TEXT[0], features=("nope",)), request(TEXT[0], options=(("summary.max_sentences", "1"),)),
             request(b"\xff\xfe bad", raw=True), request(TEXT[0], options=(("bad", "x"),))]
    write("request_fuzzer_corpus", reqs)

if __name__ == "__main__":
    sys.exit(main())
