"""All five clients must give the same entities, sentiment and summary for the same documents, and each
client's offsets, in its language's native encoding, must slice exactly the reported text out of the original.

Every CLI prints protobuf's canonical JSON mapping (lowerCamelCase names); with the same --encoding, the whole
response (plugin latencies aside, floats compared as float32) must be the same in every language, and the CLIs
must agree on exit statuses for usage errors and failed calls. Results are also compared in a canonical form: entities (name, type, salience and sentiment rounded to 3 decimals,
mentions as text + code point span), document sentiment rounded to 3 decimals, sentences and summary sentences as
text + code point span. Offsets from each client are converted from its encoding to code points first.
"""
import json
import os
import re
import struct

import pytest

from conftest import CLIENTS, DOCUMENTS, REPO, available_clients, missing_clients

ENCODING_FLAG_CHECK = "utf8"  # every client must also honour an explicit --encoding


def _enum_names(enum):
    """Value -> name of an enum of the contract, read from the .proto (for clients that print numbers)."""
    with open(os.path.join(REPO, "protos", "docanalysis", "v1", "docanalysis.proto"), encoding="utf-8") as f:
        proto = f.read()
    body = re.search(r"enum\s+%s\s*\{([^}]*)\}" % enum, proto).group(1)
    return {int(v): n for n, v in re.findall(r"(\w+)\s*=\s*(\d+)\s*;", body)}


ENTITY_TYPES = _enum_names("EntityType")


def f32(x):
    """Rounds through float32 first: every client prints the same float32, in its own shortest digits."""
    return round(struct.unpack("f", struct.pack("f", float(x)))[0], 3)


def units(text, encoding):
    """The text as the sequence its offsets index: bytes, UTF-16 code units or code points."""
    if encoding == "utf8":
        return text.encode("utf-8")
    if encoding == "utf16":
        return text.encode("utf-16-le")
    return text


def slice_text(text, begin, end, encoding):
    if encoding == "utf8":
        return text.encode("utf-8")[begin:end].decode("utf-8")
    if encoding == "utf16":
        return text.encode("utf-16-le")[2 * begin:2 * end].decode("utf-16-le")
    return text[begin:end]


def to_code_points(text, offset, encoding):
    if encoding == "utf32":
        return offset
    return len(slice_text(text, 0, offset, encoding))


def spans(response):
    """Every TextSpan of the response that must slice the text: (where, span)."""
    for i, s in enumerate(response.get("sentences", [])):
        yield f"sentences[{i}]", s.get("text", {})
    for e in response.get("entities", []):
        for j, m in enumerate(e.get("mentions", [])):
            yield f"entity {e.get('name')!r} mention {j}", m.get("text", {})
    for i, s in enumerate(response.get("summary", {}).get("sentences", [])):
        yield f"summary.sentences[{i}]", s.get("text", {})


def canonical(response, text, encoding):
    def span(t):
        b, e = t.get("beginOffset", 0), t.get("endOffset", 0)
        return [t.get("content", ""), to_code_points(text, b, encoding), to_code_points(text, e, encoding)]

    def sentiment(s):
        return {"score": f32((s or {}).get("score", 0)), "magnitude": f32((s or {}).get("magnitude", 0))}

    def entity_type(t):
        return ENTITY_TYPES.get(t, str(t)) if isinstance(t, int) else (t or ENTITY_TYPES[0])

    entities = sorted(({"name": e.get("name", ""), "type": entity_type(e.get("type")),
                        "salience": f32(e.get("salience", 0)),
                        "sentiment": sentiment(e.get("sentiment")),
                        "mentions": sorted(span(m.get("text", {})) for m in e.get("mentions", []))}
                       for e in response.get("entities", [])), key=lambda e: json.dumps(e, ensure_ascii=False))
    return {
        "entities": entities,
        "document_sentiment": sentiment(response.get("documentSentiment")),
        "sentences": [span(s.get("text", {})) + [sentiment(s.get("sentiment"))]
                      for s in response.get("sentences", [])],
        "summary": [span(s.get("text", {})) for s in response.get("summary", {}).get("sentences", [])],
        "summary_text": response.get("summary", {}).get("text", ""),
    }


def _first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'first' if k in a else 'second'}"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return f"{path}: {len(a)} vs {len(b)} items" if len(a) != len(b) else None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def test_all_five_clients_are_present():
    missing = missing_clients()
    assert not missing, (f"missing client CLI(s): {', '.join(missing)} "
                         f"(expected executables {', '.join(f'clients/{m}/bin/docanalysis-{m}' for m in missing)}); "
                         f"present: {', '.join(available_clients()) or 'none'}")


@pytest.mark.parametrize("doc", sorted(DOCUMENTS))
@pytest.mark.parametrize("lang", list(CLIENTS))
def test_native_offsets_slice_the_text(cli, lang, doc):
    if lang in missing_clients():
        pytest.fail(f"client {lang} is missing (clients/{lang}/bin/docanalysis-{lang})", pytrace=False)
    out = cli.output(lang, doc)  # no --encoding: the client's native one
    text, encoding = DOCUMENTS[doc], CLIENTS[lang]
    assert out.get("sentences"), f"{lang}: no sentences"
    if doc != "multiscript":
        assert out.get("entities"), f"{lang}: no entities in {doc}"
    bad = []
    for where, t in spans(out):
        b, e = t.get("beginOffset", 0), t.get("endOffset", 0)
        try:
            got = slice_text(text, b, e, encoding)
        except UnicodeDecodeError:
            got = f"<{encoding} [{b}, {e}) cuts a character>"
        if got != t.get("content"):
            bad.append(f"{where}: [{b}, {e}) in {encoding} slices {got!r}, response says {t.get('content')!r}")
    assert not bad, f"{lang} ({encoding}) on {doc}:\n" + "\n".join(bad[:10])


@pytest.mark.parametrize("doc", sorted(DOCUMENTS))
def test_clients_agree(cli, doc):
    present = available_clients()
    text = DOCUMENTS[doc]
    forms, errors = {}, []
    for lang in present:
        out, err = cli.run(lang, doc)
        if err:
            errors.append(f"{lang} failed: {err}")
        else:
            forms[lang] = canonical(out, text, CLIENTS[lang])
    compared = list(forms)
    problems = []
    if compared:
        reference = compared[0]
        ref = forms[reference]
        # Agreement on nothing proves nothing: the default features must have produced results.
        if not ref["sentences"] or not ref["summary"] or not ref["document_sentiment"]["magnitude"]:
            problems.append(f"{reference}: no sentences, summary or sentiment in {doc}")
        if doc != "multiscript" and not ref["entities"]:
            problems.append(f"{reference}: no entities in {doc}")
        problems += [f"{lang} vs {reference}: {_first_difference(forms[lang], forms[reference])}"
                     for lang in compared[1:] if forms[lang] != forms[reference]]
    problems += errors
    missing = missing_clients()
    if missing:
        problems.append(f"missing client(s): {', '.join(missing)}")
    if len(compared) < 2:
        problems.append(f"fewer than two clients to compare: {compared}")
    assert not problems, f"on {doc} (compared: {', '.join(compared) or 'none'}):\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", list(CLIENTS))
def test_explicit_encoding_flag(cli, lang):
    if lang in missing_clients():
        pytest.fail(f"client {lang} is missing (clients/{lang}/bin/docanalysis-{lang})", pytrace=False)
    text = DOCUMENTS["mixed"]
    native = canonical(cli.output(lang, "mixed"), text, CLIENTS[lang])
    for encoding in ("utf8", "utf16", "utf32"):
        if encoding == CLIENTS[lang]:
            continue
        out = cli.output(lang, "mixed", "--encoding", encoding)
        for where, t in spans(out):
            assert slice_text(text, t.get("beginOffset", 0), t.get("endOffset", 0), encoding) == t.get("content"), \
                f"{lang} --encoding {encoding}: {where}"
        assert canonical(out, text, encoding) == native, \
            f"{lang} --encoding {encoding}: " + str(_first_difference(canonical(out, text, encoding), native))


def _same_json(value):
    """A parsed canonical-JSON response made comparable across languages: plugin latencies (timings) left out,
    floats rounded through float32 (each language prints the shortest digits of the same float32)."""
    if isinstance(value, dict):
        return {k: _same_json(v) for k, v in value.items() if k != "latencyUs"}
    if isinstance(value, list):
        return [_same_json(v) for v in value]
    if isinstance(value, float):
        return struct.unpack("f", struct.pack("f", value))[0]
    return value


@pytest.mark.parametrize("doc", ["mixed", "news"])
def test_canonical_json_is_the_same_in_every_language(cli, doc):
    """With the same --encoding, every CLI prints the same canonical JSON (lowerCamelCase names, enums by name,
    int64 as strings, default values left out)."""
    outs, problems = {}, []
    for lang in available_clients():
        out, err = cli.run(lang, doc, "--encoding", "utf8")
        if err:
            problems.append(f"{lang}: {err}")
        else:
            outs[lang] = out
    for lang, out in outs.items():
        if "documentSentiment" not in out or "pluginRuns" not in out:
            problems.append(f"{lang}: not the canonical JSON names: {sorted(out)}")
        if any(isinstance(p.get("latencyUs", ""), int) for p in out.get("pluginRuns", [])):
            problems.append(f"{lang}: int64 latencyUs printed as a number, not a string")
    if outs:
        ref_lang = next(iter(outs))
        ref = _same_json(outs[ref_lang])
        for lang, out in outs.items():
            if _same_json(out) != ref:
                problems.append(f"{lang} vs {ref_lang}: {_first_difference(_same_json(out), ref)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", list(CLIENTS))
def test_exit_statuses_of_the_contract(cli, lang, tmp_path):
    """2 for a usage error (one line on stderr), 3 for a failed call with the status name on stderr."""
    import socket
    import subprocess
    from conftest import client_bin
    if lang in missing_clients():
        pytest.fail(f"client {lang} is missing", pytrace=False)
    doc = cli.doc_files["news"]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    cases = [(["--target", cli.target, "--timeout", "abc"], 2, "timeout"),
             (["--target", cli.target, "--option", "no-equals-sign"], 2, "option"),
             (["--target", cli.target, "--encoding", "latin1"], 2, "encoding"),
             (["--target", cli.target, "--features", "no-such-feature"], 3, "INVALID_ARGUMENT"),
             (["--target", f"127.0.0.1:{dead}", "--timeout", "5"], 3, "UNAVAILABLE")]
    bad = []
    for args, want, needle in cases:
        r = subprocess.run([client_bin(lang), "analyze", doc, *args, "--json"], capture_output=True, text=True,
                           timeout=600)
        lines = r.stderr.strip().splitlines()
        if r.returncode != want or needle not in r.stderr or len(lines) != 1:
            bad.append(f"{' '.join(args)}: exit {r.returncode} (want {want}), stderr {r.stderr.strip()[-300:]!r}")
    assert not bad, f"{lang}:\n" + "\n".join(bad)
