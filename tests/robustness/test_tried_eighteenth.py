"""Found by trying it, eighteenth round: a scientific editor, a contracts editor, a deduplicator of short user texts,
an operations engineer and a new user learning every option from --help. Each test failed before its fix."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup.corpus.state
from dedup.cli.main import main
from dedup.text.one_change import changed_once
from dedup.text.quantities import agree, quantities


def _clean_text(tmp_path, text: str, *options: str) -> tuple[str, str]:
    source = tmp_path / "paper.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8"), result.stderr


def _kept(tmp_path, first: str, second: str, *options: str) -> bool:
    """Whether ``dedup clean`` keeps ``second``, a paragraph repeating ``first`` but for one change."""
    return second in _clean_text(tmp_path, f"Results\n\n{first}\n\n{second}\n", *options)[0]


# 1. A sentence repeated word for word but for one change of no listed kind was removed: a species, a drug, an SI
#    prefix, a measure, a relation sign; lower-case roles swapped, pronouns swapped, a condition put before a clause.
ONE_CHANGE = {
    "species": ("Serum creatinine increased from 0.21 mg/dL to 1.35 mg/dL in mice given cisplatin alone.",
                "Serum creatinine increased from 0.21 mg/dL to 1.35 mg/dL in rats given cisplatin alone."),
    "si_prefix": ("The dose of cisplatin was 20 mg/kg, given once by intraperitoneal injection to each mouse.",
                  "The dose of cisplatin was 20 µg/kg, given once by intraperitoneal injection to each mouse."),
    "measure": ("Renal expression of HMOX1 and NQO1 mRNA was upregulated 3.1-fold and 2.4-fold, respectively, in the "
                "sulforaphane group, whereas TNF-α protein was reduced by 45 %.",
                "Renal expression of HMOX1 and NQO1 protein was upregulated 3.1-fold and 2.4-fold, respectively, in "
                "the sulforaphane group, whereas TNF-α protein was reduced by 45 %."),
    "unit": ("Renal TNF-α protein was reduced by 45 % in the sulforaphane group compared with vehicle-treated mice.",
             "Renal TNF-α protein was reduced by 45 mg in the sulforaphane group compared with vehicle-treated mice."),
    "relation": ("Sulforaphane reduced serum creatinine in cisplatin-treated mice compared with vehicle (p < 0.05).",
                 "Sulforaphane reduced serum creatinine in cisplatin-treated mice compared with vehicle (p > 0.05)."),
    "arrow": ("Expression of HMOX1 in the renal cortex was ↑ 3-fold after sulforaphane in treated mice.",
              "Expression of HMOX1 in the renal cortex was ↓ 3-fold after sulforaphane in treated mice."),
    "roles": ("The buyer shall pay the seller all undisputed invoices within thirty days of receipt by wire transfer.",
              "The seller shall pay the buyer all undisputed invoices within thirty days of receipt by wire transfer."),
    "pronouns": ("You shall indemnify us against all claims, losses and expenses arising from any content posted "
                 "through your account.",
                 "We shall indemnify you against all claims, losses and expenses arising from any content posted "
                 "through your account."),
    "stop_words": ("All fees stated in Schedule 2 are payable by full-time employees at the prevailing rate each "
                   "month.",
                   "All fees stated in Schedule 2 are payable by part-time employees at the prevailing rate each "
                   "month."),
    "condition": ("The Receiving Party shall not disclose the Confidential Information to any person during the term "
                  "of this agreement.",
                  "Except where required by law, the Receiving Party shall not disclose the Confidential Information "
                  "to any person during the term of this agreement."),
}


@pytest.mark.parametrize("name", sorted(ONE_CHANGE))
def test_clean_keeps_a_sentence_repeated_but_for_one_change(tmp_path, name):
    assert _kept(tmp_path, *ONE_CHANGE[name])


@pytest.mark.parametrize("name", sorted(ONE_CHANGE))
def test_clean_still_removes_the_same_sentence_repeated(tmp_path, name):
    first = ONE_CHANGE[name][0]
    assert _clean_text(tmp_path, f"Results\n\n{first}\n\n{first}\n")[0].count(first) == 1


def test_a_sentence_saying_less_or_reworded_in_several_places_is_no_one_change():
    quote = '"We are watching a reef die in slow motion."'
    assert not changed_once(quote, quote[:-1] + ', said Professor Hana Liu of the institute.', "")
    assert not changed_once("The match turned in the third-set tie-break, which Okonkwo took 9-7.",
                            "The match turned in the third-set tiebreak, which Okonkwo won 9-7.", "")
    assert not changed_once("The first tenants move in two years later.", "The first tenants move in two years later.",
                            "")
    assert changed_once("The first tenants move in two years later.", "The first residents move in two years later.",
                        "")


# 2. A definition of another term removed as a restatement of the first definition (the reranker at 0.94).
def test_clean_keeps_the_definitions_of_other_terms(tmp_path):
    second = '(b) "Disclosing Party" means the party disclosing Confidential Information.'
    text = ('# Mutual Non-Disclosure Agreement\n\n(a) "Confidential Information" means any information disclosed by a '
            "Disclosing Party to a Receiving Party, whether orally or in writing, that is marked confidential or would "
            f"reasonably be understood to be confidential.\n\n{second}\n")
    assert second in _clean_text(tmp_path, text)[0]


# 3. --sentences cut a clause's run-in heading with the repeated sentence after it.
def test_clean_sentences_keeps_a_run_in_heading(tmp_path):
    repeated = ("The Processor shall ensure that persons authorised to process the personal data have committed "
                "themselves to confidentiality.")
    text = (f"Data Processing Addendum\n\n{repeated}\n\nConfidentiality. {repeated} Breaches of confidentiality must be "
            "reported to the Controller within 48 hours.\n")
    cleaned, _ = _clean_text(tmp_path, text, "--sentences")
    assert "Confidentiality. Breaches of confidentiality must be reported" in cleaned
    assert cleaned.count(repeated) == 1


# 4. A clause repeated under another number was not reported: its number read as a different amount.
def test_a_clause_repeated_under_another_number_is_reported(tmp_path):
    clause = ("The Receiving Party shall not disclose the Confidential Information to any third party without the "
              "prior written consent of the Disclosing Party.")
    source = tmp_path / "nda.txt"
    source.write_text(f"Non-Disclosure Agreement\n\n2.2 {clause}\n\n6.1 {clause}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(source), "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)["documents"][0]["matches"]
    assert [(m["a"], m["b"]) for m in matches] == [(1, 2)]


# 5. Two exact figures within 0.5% were "the same amounts": order 12345 and order 12399.
def test_exact_figures_agree_only_as_one_rounded_from_the_other(tmp_path):
    def amount(text: str):
        return quantities(text)[0]

    assert not agree(amount("order 12345"), amount("order 12399"))
    assert not agree(amount("$12,345"), amount("$12,399"))
    assert agree(amount("$298.4 million"), amount("$298 million"))
    assert agree(amount("about $300 million"), amount("$298 million"))
    source = tmp_path / "orders.txt"
    source.write_text("I want a refund for order 12345.\n\nI want a refund for order 12399.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(source), "-f", "json", "-q"])
    assert json.loads(result.stdout)["documents"][0]["matches"] == []


# 6. Short records that differ only by a negation or a verdict symbol were near-duplicates (Jaccard 1.00: "not" is a
#    stop word, an emoji no word), and clean dropped one. Spam copies that add or drop decorative emoji still are.
def _clean_records(tmp_path, records: list[dict]) -> list[str]:
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("first,second", [
    ("Please cancel my subscription before the next billing date.",
     "Please do not cancel my subscription before the next billing date."),
    ("Please cancel my subscription before the next billing date.",
     "Please don't cancel my subscription before the next billing date."),
    ("Everything in the box was damaged when the courier delivered the parcel.",
     "Nothing in the box was damaged when the courier delivered the parcel."),
    ("Delivery was on time and the courier was polite 👍", "Delivery was on time and the courier was polite 👎"),
])
def test_clean_keeps_a_record_that_says_the_opposite(tmp_path, first, second):
    assert _clean_records(tmp_path, [{"id": "a", "text": first}, {"id": "b", "text": second}]) == ["a", "b"]


def test_copies_adding_emoji_or_a_negation_elsewhere_are_still_near_duplicates(tmp_path):
    post = "Crypto giveaway: send 1 BTC and receive 2 BTC back instantly, limited offer for our followers"
    assert _clean_records(tmp_path, [{"id": "a", "text": post}, {"id": "b", "text": post + " 😂🔥"}]) == ["a"]
    story = " ".join(f"Paragraph {i} of the council report says the plan for district {i} was approved on Monday."
                     for i in range(12))
    assert _clean_records(tmp_path, [{"id": "a", "text": story + " It was not a close vote."},
                                     {"id": "b", "text": story}]) == ["a"]


# 7. clean on a .json file cut lines out of its JSON (exit 0, no word): it is written as it came in, and said.
def test_clean_writes_a_json_file_as_it_came_in(tmp_path):
    copy = {"id": "a", "text": "Win a free iPhone now, click the link to claim your prize before midnight tonight"}
    source = tmp_path / "arr.json"
    source.write_text(json.dumps([copy, {**copy, "id": "b"}, {"id": "c", "text": "My order arrived late."}], indent=2),
                      encoding="utf-8")
    out = tmp_path / "arr.clean.json"
    result = CliRunner().invoke(main, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == source.read_bytes()
    assert "a .json file read as one text: written as it came in" in result.stderr


# 8. A document not read again was counted, not named; its entry shows no restatements.
def test_documents_not_read_again_are_named(tmp_path, monkeypatch):
    path = tmp_path / "c.jsonl"
    records = [{"id": f"doc{i}", "text": f"Story {i}. " + "The council met on Monday to approve the plan. " * 5}
               for i in range(40)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    finish = dedup.corpus.state.CorpusState.finish

    def finish_then_cut(self):  # pass one is over: the file loses its second half before pass two reads it
        finish(self)
        path.write_text("".join(json.dumps(r) + "\n" for r in records[:20]), encoding="utf-8")

    monkeypatch.setattr(dedup.corpus.state.CorpusState, "finish", finish_then_cut)
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json", "-q"])
    assert result.exit_code == 1
    unread = json.loads(result.stdout)["stats"]["reread_failed_documents"]
    assert unread and set(unread) <= {f"doc{i}" for i in range(20, 40)}
    assert f"not read again: {unread[0]}" in result.stderr


# 9. index remove / expire stopped after the first batch, exit 1 and no word, when stdout went away (| head -1).
def test_index_remove_finishes_when_its_stdout_is_closed(tmp_path):
    db = tmp_path / "i.db"
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Story number {i} about the harbour and the pier "
                                          f"repairs, item {i}."}) + "\n" for i in range(6)), encoding="utf-8")
    assert CliRunner().invoke(main, ["index", "add", str(db), str(source), "-q"]).exit_code == 0
    run = subprocess.Popen([sys.executable, "-m", "dedup", "index", "remove", str(db), *[f"d{i}" for i in range(5)],
                            "--batch-size", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    run.stdout.readline()
    run.stdout.close()  # as `| head -1` does
    stderr = run.stderr.read().decode()
    assert run.wait() == 0, stderr
    assert "removed 5 documents of 5 ids" in stderr
    stats = CliRunner().invoke(main, ["index", "stats", str(db)])
    assert json.loads(stats.stdout)["documents"] == 1


# 10. scan -o into a scanned folder worked once, then read its own report as a document (and refused the command).
def test_scan_refuses_a_report_inside_a_scanned_folder(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("The council approved the new budget on Monday.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(notes), "-o", str(notes / "report.txt")])
    assert result.exit_code == 2 and "inside the input folder" in result.stderr
    assert not (notes / "report.txt").exists()
    assert CliRunner().invoke(main, ["scan", str(notes), "-f", "json", "-o", str(notes / "r.json")]).exit_code == 0


# 11. --keep-restated --sentences (or --no-within --sentences) cut nothing, exit 0 and no word.
@pytest.mark.parametrize("keep", ["--keep-restated", "--no-within"])
def test_clean_refuses_sentences_with_restated_kept(tmp_path, keep):
    source = tmp_path / "a.txt"
    source.write_text("Title\n\nOne sentence here about the pier.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(source), keep, "--sentences", "-o", str(tmp_path / "o.txt")])
    assert result.exit_code == 2 and "--sentences" in result.output



# 12. --checkpoint a/b/c left the folders a and a/b it made behind.
def test_a_checkpoints_parent_folders_it_made_go_with_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Title\n\nThe council approved the budget on Monday.\n", encoding="utf-8")
    (tmp_path / "keep").mkdir()
    for checkpoint in ("jobs/nightly/ck", "keep/x/ck"):
        result = CliRunner().invoke(main, ["scan", "a.txt", "-q", "-o", "r.txt", "--checkpoint", checkpoint])
        assert result.exit_code == 0, result.output
    assert not (tmp_path / "jobs").exists()
    assert (tmp_path / "keep").is_dir() and not (tmp_path / "keep" / "x").exists()


# 13. A scan with --checkpoint made Ctrl-C its own even where the process was started ignoring it (a shell's
#     background job): `kill -INT` stopped it, where a scan without --checkpoint ran on. SIGTERM, handed to the
#     same handler, still stops it.
def test_a_checkpointed_scan_keeps_an_ignored_ctrl_c_ignored():
    import os
    import signal

    from dedup.corpus.scanner import _InterruptFlag

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _InterruptFlag() as flag:
            os.kill(os.getpid(), signal.SIGINT)
            assert not flag.raised
            signal.getsignal(signal.SIGINT)(signal.SIGTERM, None)  # as ``dedup.cli`` hands SIGTERM on
            assert flag.raised
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with _InterruptFlag() as flag:
            os.kill(os.getpid(), signal.SIGINT)
            assert flag.raised
    finally:
        signal.signal(signal.SIGINT, previous)


# 14. clean into a folder, interrupted: the copies written stay and the rest are missing, with nothing said but
#     "Aborted!".
def test_an_interrupted_clean_into_a_folder_says_it_is_incomplete(tmp_path, monkeypatch):
    import dedup.io.writers

    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(5):
        (inputs / f"f{i}.txt").write_text(f"Story {i}\n\nThe pier number {i} reopened on Monday.\n", encoding="utf-8")
    write = dedup.io.writers._write
    calls = []

    def write_then_stop(out, text):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        write(out, text)

    monkeypatch.setattr(dedup.io.writers, "_write", write_then_stop)
    result = CliRunner().invoke(main, ["clean", str(inputs), "-o", str(tmp_path / "out") + "/"])
    assert result.exit_code == 1
    assert "interrupted after 2 of 5 copies were written; the folder is incomplete" in result.stderr


# 15. An empty --date-field was refused as "date_field" by scan and clean, and taken by index add.
@pytest.mark.parametrize("command", [["scan"], ["clean"], ["index", "add", "i.db"]])
def test_an_empty_date_field_is_refused_naming_the_option(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("Title\n\nThe council approved the budget on Monday.\n", encoding="utf-8")
    result = CliRunner().invoke(main, [*command, "a.txt", "--date-field", " "])
    assert result.exit_code == 2 and "'--date-field': is empty or only whitespace" in result.output
    assert not Path("i.db").exists()


# 16. (the reviewer) The round's own rules, too wide: a typo, a spelling, "says" for "said", an added "also", a
#     mail's "> " or "~400" for "about 400", a sentence saying what something "means", a repeated "Nothing." kept a
#     restatement; copies differing in "didn't" / "didn’t" or a "> " were no near-duplicates; "300 Britons" read
#     as a clause's number; "26.2 miles" no longer agreed with "42.195 km".
BASE = ("The city council approved the new budget on Tuesday after a long debate about the cost of road repairs. "
        "Council members said the plan would modernize the bus network by 2026. The vote was seven to two.")


def _repeat_removed(tmp_path, first: str, again: str, *options: str) -> bool:
    text = f"Council approves budget\n\n{first}\n\nThe mayor was not at the meeting.\n\n{again}\n"
    return again not in _clean_text(tmp_path, text, *options)[0].split("meeting.", 1)[1]


@pytest.mark.parametrize("again", [
    BASE.replace("modernize", "modernise"), BASE.replace("members said", "members say"),
    BASE.replace("members said", "members also said"), "> " + BASE,
    "In practice, the decision means the council has to cut what it spends on libraries and parks by ten million "
    "pounds next year.",
])
def test_clean_still_removes_a_lightly_edited_repeat(tmp_path, again):
    first = BASE if "means" not in again else \
        "The ruling means the council must cut its spending on libraries and parks by ten million pounds next year."
    assert _repeat_removed(tmp_path, first, again)


def test_a_short_first_sentence_repeated_is_no_heading(tmp_path):
    text = ("Families still waiting\n\nThe families wrote to the ministry in January asking for an inquiry. Nothing. "
            "They are still waiting for an answer from the minister about the flooding.\n\nLocal councillors have "
            "backed their call.\n\nNothing. They are still waiting for an answer from the minister about the flooding.\n")
    assert _clean_text(tmp_path, text)[1].endswith("removed paragraphs 3 (1 of 4)\n")


def test_a_sentence_case_run_in_heading_is_kept(tmp_path):
    rule = "The Processor shall process the personal data only on documented instructions from the Controller."
    text = (f"Data Processing Addendum\n\n{rule}\n\nPersonal data. {rule} Breaches must be reported to the Controller "
            "within 48 hours.\n")
    assert "Personal data. Breaches must be reported" in _clean_text(tmp_path, text, "--sentences")[0]


@pytest.mark.parametrize("other", [BASE.replace("didn't", "didn\u2019t") + " They didn\u2019t agree.",
                                   "\n".join("> " + line for line in BASE.split(". "))])
def test_copies_differing_in_an_apostrophe_or_quoting_are_near_duplicates(tmp_path, other):
    first = BASE + " They didn't agree." if "didn" in other else "\n".join(BASE.split(". "))
    assert _clean_records(tmp_path, [{"id": "a", "text": first}, {"id": "b", "text": other}]) in (["a"], ["b"])


def _matched(tmp_path, text: str) -> list[tuple[int, int]]:
    source = tmp_path / "story.txt"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(source), "-f", "json", "-q"])
    return [(m["a"], m["b"]) for m in json.loads(result.stdout)["documents"][0]["matches"]]


def test_a_count_opening_a_paragraph_is_an_amount_and_converted_units_agree(tmp_path):
    flown = "Britons were flown home from the island on Saturday after the wildfires forced hotels to close."
    assert _matched(tmp_path, f"Evacuation\n\n300 {flown}\n\n200 {flown}\n") == []
    assert not agree(quantities("1 year")[0], quantities("13 months")[0])
    assert agree(quantities("26.2 miles")[0], quantities("42.195 km")[0])
    assert agree(quantities("1 year")[0], quantities("365 days")[0])


# 17. A transcript's label, a vote's tally, a subtitle cue's number and times were left alone by --sentences; cue
#     times were amounts (unrelated cues one claim) and turn times conflicting amounts (a 10-word run missed).
@pytest.mark.parametrize("text,kept", [
    ("Tenants meeting\n\nANA\nWe agree with the proposal to repaint the stairwell.\n\nBEN\nWe agree with the proposal "
     "to repaint the stairwell.\n", "BEN\nWe agree"),
    ("Finance Committee minutes\n\nMotion to accept the quarterly accounts. Carried 4-0.\n\nMotion to accept the "
     "quarterly accounts. Carried 3-1.\n", "Motion to accept the quarterly accounts. Carried 3-1."),
    ("1\n00:00:01,000 --> 00:00:03,500\nYes.\n\n2\n00:00:09,500 --> 00:00:11,000\nYes.\n", "11,000\nYes."),
])
def test_clean_sentences_leaves_no_bare_label(tmp_path, text, kept):
    assert kept in _clean_text(tmp_path, text, "--sentences")[0]


def test_subtitle_and_turn_times_are_no_amounts(tmp_path):
    cues = ("12\n00:01:01,500 --> 00:01:03,250\nThe bridge opens on Monday.\n\n13\n00:01:04,500 --> 00:01:06,250\n"
            "I had pasta for lunch.\n")
    assert _matched(tmp_path, cues) == []
    turns = ("Port podcast\n\n[00:00:31] MOORE: Two things drove the record: the new deep-water berth and the rail "
             "link to the logistics park.\n\n[00:01:14] MOORE: Exactly. The new deep-water berth and the rail link to "
             "the logistics park drove the record year.\n")
    assert _matched(tmp_path, turns) == [(1, 2)]


# 18. A catalogue's, a recipe's, a changelog's repeat under another heading was removed; a section pasted twice
#     left its heading; --sentences cut "Torque is 50 Nm." from the 12V drill's paragraph.
SPECS = "| Spec | Value |\n|---|---|\n| Size | 24 inch |\n| Refresh rate | 75 Hz |"


@pytest.mark.parametrize("text,kept", [
    (f"# Monitors\n\n## M24 Office\n\n{SPECS}\n\n## M24 Office Plus (with speakers)\n\n{SPECS}\n", 2),
    ("Apple pie\nFor the pastry:\n250 g plain flour\n2 tablespoons caster sugar\nFor the filling:\n1 kg cooking "
     "apples\n2 tablespoons caster sugar\n", 2),
])
def test_a_repeat_under_another_heading_is_kept(tmp_path, text, kept):
    repeated = SPECS if "Spec" in text else "2 tablespoons caster sugar"
    assert _clean_text(tmp_path, text)[0].count(repeated) == kept


def test_a_section_pasted_twice_goes_with_its_heading(tmp_path):
    text = ("# Guide\n\n## Installing the server\n\nDownload the package and run the installer with administrator "
            "rights on the machine.\n\n## Upgrading the client\n\nStop the client, download the new package and start "
            "the client again after the upgrade.\n\n## Installing the server\n\nDownload the package and run the "
            "installer with administrator rights on the machine.\n")
    cleaned = _clean_text(tmp_path, text)[0]
    assert cleaned.count("## Installing the server") == 1 and cleaned.rstrip().endswith("after the upgrade.")


def test_clean_sentences_cuts_nothing_from_a_parallel_paragraph(tmp_path):
    text = ("Drill range\n\nThe PowerDrill 18V comes with two batteries and a charger. Torque is 50 Nm.\n\nThe "
            "PowerDrill 12V comes with one battery and a charger. Torque is 50 Nm.\n")
    assert _clean_text(tmp_path, text, "--sentences")[0].count("Torque is 50 Nm.") == 2


# 19. clean DIR -o OUT/ left the folder's .srt files out without a word.
def test_clean_into_a_folder_names_the_files_it_does_not_read(tmp_path):
    inputs = tmp_path / "subs"
    inputs.mkdir()
    (inputs / "notes.txt").write_text("Notes\n\nThe pier reopened on Monday.\n", encoding="utf-8")
    (inputs / "film.srt").write_text("1\n00:00:01,000 --> 00:00:03,500\nYes.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(inputs), "-o", str(tmp_path / "out") + "/"])
    assert result.exit_code == 0 and "1 file of the input folders not read" in result.stderr
    assert "film.srt" in result.stderr


def test_index_remove_finishes_with_stdout_closed(tmp_path):
    db = tmp_path / "i.db"
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Story {i} about the pier, item {i}."}) + "\n"
                              for i in range(3)), encoding="utf-8")
    assert CliRunner().invoke(main, ["index", "add", str(db), str(source), "-q"]).exit_code == 0
    done = subprocess.run(f"'{sys.executable}' -m dedup index remove '{db}' d0 d1 d2 --batch-size 1 >&-", shell=True,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert json.loads(CliRunner().invoke(main, ["index", "stats", str(db)]).stdout)["documents"] == 0


# 20. (the second reviewer) The first reviewer's fixes, too wide again: words a letter or two apart read as one
#     spelling ("employee" for "employer"), stop words added ("Few of the residents"), auxiliaries ("were warned"
#     for "had warned"), a sign put in ("<1%" for "1%") all removed a changed fact; a speech's "... said:" was a
#     heading, and a parallel match's rule kept a paragraph two other paragraphs restate between them.
@pytest.mark.parametrize("first,second", [
    ("If the course is cancelled, the employer shall repay the full cost of the training course within thirty days.",
     "If the course is cancelled, the employee shall repay the full cost of the training course within thirty days."),
    ("Nearly a third of the patients were diagnosed with hypertension but were never referred for a follow-up.",
     "Nearly a third of the patients were diagnosed with hypotension but were never referred for a follow-up."),
    ("The residents of the old quarter supported the plan to turn the car park into a public garden.",
     "Few of the residents of the old quarter supported the plan to turn the car park into a public garden."),
    ("The inquiry heard that the police had warned about the attack on the stadium two days before it happened.",
     "The inquiry heard that the police were warned about the attack on the stadium two days before it happened."),
    ("Mortality at one year was 1% among patients given the new drug, and 3% among patients given a placebo.",
     "Mortality at one year was <1% among patients given the new drug, and >3% among patients given a placebo."),
])
def test_clean_keeps_a_change_the_first_review_let_go(tmp_path, first, second):
    assert _kept(tmp_path, first, second)


def test_a_speech_line_is_no_heading_and_a_conclusion_may_restate_the_introduction(tmp_path):
    fire = ("Firefighters battled a large blaze at a chemical factory in Dunmore on Monday night, forcing the "
            "evacuation of 300 nearby homes.")
    text = (f"# Factory fire forces evacuation\n\n{fire}\n\nIn a statement, the company said:\n\n\"We are working "
            f"closely with the emergency services.\"\n\n{fire}\n\nResidents were told to keep their windows closed.\n")
    assert _clean_text(tmp_path, text)[0].count(fire) == 1


def test_a_paragraph_two_others_restate_between_them_goes(tmp_path):
    first = "The city council approved a new tram line from the central station to the airport on Tuesday."
    second = ("Construction is due to start next spring, and the line will have 14 stops and run every 8 minutes at "
              "peak times, the transport department said.")
    text = (f"City approves new tram line\n\n{first} The line will have 14 stops and run every 6 minutes at peak "
            f"times, the mayor said.\n\n{second}\n\nMayor Ines Roth called the vote a turning point.\n\n"
            f"{first} {second}\n")
    assert _clean_text(tmp_path, text)[1].endswith("removed paragraphs 4 (1 of 5)\n")


def test_records_differing_in_a_relation_sign_are_no_near_duplicates(tmp_path):
    text = ("Test result for batch 17 of the new coating: corrosion resistance of the coated samples {} uncoated "
            "samples after 500 hours in the salt spray chamber.")
    records = [{"id": "r1", "text": text.format(">")}, {"id": "r2", "text": text.format("<")}]
    assert _clean_records(tmp_path, records) == ["r1", "r2"]


def test_the_note_of_files_not_read_passes_hidden_folders_by(tmp_path):
    inputs = tmp_path / "notes"
    (inputs / ".git").mkdir(parents=True)
    (inputs / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (inputs / "a.txt").write_text("Notes\n\nThe pier reopened on Monday.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(inputs), "-o", str(tmp_path / "out") + "/"])
    assert result.exit_code == 0 and "not read" not in result.stderr


# 21. (an e-mail archivist) A short answer repeated word for word under another quoted question ("No, not yet.")
#     was removed: a paragraph of fewer than two words of its own says what its context asks.
@pytest.mark.parametrize("answer", ["No, not yet.", "I don't know."])
def test_clean_keeps_a_short_answer_under_another_question(tmp_path, answer):
    text = (f"Re: Two questions\n\n> Has legal approved the penalty clause?\n\n{answer}\n\n> Has finance approved the "
            f"payment schedule?\n\n{answer}\n")
    assert _clean_text(tmp_path, text)[0].count(answer) == 2


# 22. (an e-mail archivist) With --boilerplate, a paragraph holding a line of its own and the shared signature
#     glued under it (no blank line) went whole: "Approved, go ahead with the purchase." was lost.
def test_clean_boilerplate_keeps_a_line_glued_above_the_footer(tmp_path):
    footer = ("-- \nBruno Costa\nHead of Operations, Acme Harbour Logistics Ltd\nPier 4, Harbour Road, Porto\n"
              "Phone +351 555 0100 | www.acme-harbour.example")
    bodies = [("Boiler", "The boiler in building 2 will be serviced on Wednesday."),
              ("Rota", "The holiday rota for August is now on the shared drive."),
              ("Badge", "Your new access badge is ready at reception."),
              ("Permits", "Parking permits must be renewed before the end of the month."),
              ("Lunch", "Lunch is at noon in the canteen.")]
    records = [{"id": f"m{i}", "text": f"{title}\n\n{body}\n\n{footer}\n"} for i, (title, body) in enumerate(bodies)]
    records.append({"id": "reply", "text": f"Re: Budget request\n\nApproved, go ahead with the purchase.\n{footer}\n"})
    source = tmp_path / "mail.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["clean", str(source), "--boilerplate", "-o", str(out)])
    assert result.exit_code == 0, result.output
    kept = {r["id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert "Approved, go ahead with the purchase." in kept["reply"]
    assert all("Bruno Costa" not in kept[f"m{i}"] for i in range(5))  # the footer on its own still goes
