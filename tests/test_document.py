"""The plan file as bytes: encodings, line endings, atomic writes, changed-on-disk refusal."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from mission_control.plan import Document, LineEdit, PlanChangedOnDisk, PlanError, load_plan

TEXT = "# Plan “quoted” café\r\n\r\n- [ ] first\n- [x] second\rlast line"

ENCODINGS = [
    ("utf-8", b"", "utf-8"),
    ("utf-8-bom", codecs.BOM_UTF8, "utf-8"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
    ("cp1252", b"", "cp1252"),
]


def encoded(text: str, bom: bytes, codec: str) -> bytes:
    return bom + text.encode(codec)


@pytest.mark.parametrize(("name", "bom", "codec"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_each_encoding_loads_and_saves_byte_identical(tmp_path, name, bom, codec):
    path = tmp_path / "plan.md"
    data = encoded(TEXT, bom, codec)
    path.write_bytes(data)
    doc = Document.read(path)
    assert doc.encoding == codec and doc.bom == bom
    assert doc.lines == ["# Plan “quoted” café", "", "- [ ] first", "- [x] second", "last line"]
    assert doc.endings == ["\r\n", "\r\n", "\n", "\r", ""]
    assert doc.text == TEXT and not doc.modified
    doc.save()
    assert path.read_bytes() == data


@pytest.mark.parametrize(("name", "bom", "codec"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_an_edit_changes_only_its_line_in_every_encoding(tmp_path, name, bom, codec):
    path = tmp_path / "plan.md"
    path.write_bytes(encoded(TEXT, bom, codec))
    doc = Document.read(path)
    doc.apply([LineEdit(2, "- [ ] first", "- [x] first")])
    doc.save()
    assert path.read_bytes() == encoded(TEXT.replace("- [ ] first", "- [x] first"), bom, codec)


def test_bytes_that_are_not_cp1252_fall_back_to_latin_1(tmp_path):
    data = b"caf\xe9 \x81\x8d\x8f\x90\x9d\nend"
    doc = Document(data, tmp_path / "x.md")
    assert doc.encoding == "latin-1" and doc.to_bytes() == data


def test_final_newline_or_not_and_empty_files():
    assert Document(b"a\nb").endings == ["\n", ""]
    assert Document(b"a\nb\n").lines == ["a", "b"] and Document(b"a\nb\n").to_bytes() == b"a\nb\n"
    assert Document(b"a\n\n").lines == ["a", ""]
    assert Document(b"").to_bytes() == b"" and Document(b"\r\r\n\n").to_bytes() == b"\r\r\n\n"


def test_a_character_the_encoding_cannot_hold_is_refused_naming_the_line(tmp_path):
    doc = Document("a\nb\n".encode("cp1252") + b"\x93q\x94\n", tmp_path / "x.md")
    assert doc.encoding == "cp1252"
    with pytest.raises(PlanError, match=r"x\.md:2: .*cp1252"):
        doc.apply([LineEdit(1, "b", "b ✓")])
    assert doc.lines[1] == "b"


def test_a_stale_edit_is_refused_and_changes_nothing(tmp_path):
    doc = Document(b"a\nb\nc", tmp_path / "x.md")
    with pytest.raises(PlanError, match=r"x\.md:3: line is not what the edit expected"):
        doc.apply([LineEdit(0, "a", "A"), LineEdit(2, "zzz", "C")])
    assert doc.lines == ["a", "b", "c"]
    with pytest.raises(PlanError):
        doc.apply([LineEdit(7, "", "x")])


def test_unreadable_paths_give_plan_errors_naming_the_file(tmp_path):
    with pytest.raises(PlanError, match=r"nope\.md: no such file"):
        Document.read(tmp_path / "nope.md")
    with pytest.raises(PlanError, match="is a folder"):
        Document.read(tmp_path)
    with pytest.raises(PlanError, match="no such file"):
        load_plan(tmp_path / "nope.md")


def test_saves_are_atomic_and_leave_no_temporary_files(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes(b"- [ ] a\n")
    os.chmod(path, 0o640)
    doc = Document.read(path)
    for done in ("x", " ", "x"):
        doc.apply([LineEdit(0, doc.lines[0], f"- [{done}] a")])
        doc.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]
    assert path.read_bytes() == b"- [x] a\n"


def test_a_failed_write_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes(b"a\n")
    (tmp_path / "taken").mkdir()  # the rename onto a folder fails, even for root
    doc = Document.read(path)
    doc.apply([LineEdit(0, "a", "b")])
    with pytest.raises(PlanError, match="taken: cannot be written"):
        doc.save(tmp_path / "taken")
    assert path.read_bytes() == b"a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md", "taken"]
    assert list((tmp_path / "taken").iterdir()) == []


def test_saving_refuses_when_the_file_changed_on_disk(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes(b"- [ ] a\n")
    doc = Document.read(path)
    doc.apply([LineEdit(0, "- [ ] a", "- [x] a")])
    path.write_bytes(b"- [ ] a\n- [ ] someone else's\n")
    assert doc.changed_on_disk()
    with pytest.raises(PlanChangedOnDisk, match=r"plan\.md: changed on disk"):
        doc.save()
    assert path.read_bytes() == b"- [ ] a\n- [ ] someone else's\n"
    doc.save(tmp_path / "copy.md")  # saving elsewhere is fine
    assert (tmp_path / "copy.md").read_bytes() == b"- [x] a\n"
    doc.save(force=True)
    assert path.read_bytes() == b"- [x] a\n" and not doc.changed_on_disk()


def test_a_deleted_file_counts_as_changed(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes(b"a\n")
    doc = Document.read(path)
    path.unlink()
    with pytest.raises(PlanChangedOnDisk):
        doc.save()


def test_after_a_save_the_next_save_compares_with_what_we_wrote(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes(b"a\n")
    doc = Document.read(path)
    doc.apply([LineEdit(0, "a", "b")])
    doc.save()
    doc.apply([LineEdit(0, "b", "c")])
    doc.save()
    assert path.read_bytes() == b"c\n"


def test_plan_file_reload_and_checkbox_flip_in_utf16_crlf(tmp_path: Path):
    path = tmp_path / "plan.md"
    text = "# P\r\n\r\n## Final Checklist\r\n\r\n- [ ] one\r\n- [x] two\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    pf = load_plan(path)
    item = pf.plan.checklist[0]
    result = pf.set_checked(item, True)
    assert [e.index for e in result.edits] == [4]
    pf.save()
    assert path.read_bytes() == codecs.BOM_UTF16_LE + text.replace("[ ] one", "[x] one").encode("utf-16-le")
    pf.undo(result.edits)
    assert pf.modified and not pf.plan.checklist[0].done
    pf.reload()
    assert pf.plan.checklist[0].done and not pf.modified
