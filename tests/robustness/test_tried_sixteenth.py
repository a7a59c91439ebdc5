"""Found by trying it, sixteenth round: a text-reuse researcher, an attacker with hard Unicode and a newsroom
editor. Each test failed before its fix."""

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import Index, align_texts
from dedup.cli.main import main
from dedup.index.store import IndexLocationError

ARTICLE = Path(__file__).resolve().parents[2] / "data" / "vance_article.txt"

FLOOD = [
    "Floods Cut Off Valley Towns",
    "Heavy rain flooded the Ashby valley over the weekend, and the regional government promised emergency aid "
    "for households and businesses.",
    "Ashby's rain gauge measured sixteen centimetres of water in two days, more than double a normal month's total.",
    "Rail services between Ashby and Kilnsey were suspended and 40 roads were closed.",
    "A 40-year-old man was rescued by helicopter from the roof of his car near Kilnsey.",
    "Insurers estimated early claims at more than €150 million.",
    "Fourteen schools in the valley will stay closed on Monday.",
    "Rail services between Ashby and Kilnsey were suspended and 40 roads were closed."]  # said again: a recap
REEF = ["Coral Reefs Recover Faster Than Expected",
        "Marine biologists said on Thursday that reefs off the northern coast had regrown much of the coral lost "
        "in last year's heatwave.",
        "{copy}",
        "The team surveyed forty sites by boat and by drone over six months, counting living and dead colonies."]


def _one_verbatim(host: str, source: str, copied: str) -> None:
    records = align_texts(host, source)
    assert [(r.kind, r.a_span, r.b_span) for r in records] == [
        ("verbatim", (host.index(copied), host.index(copied) + len(copied)),
         (source.index(copied), source.index(copied) + len(copied)))]
    mirrored = align_texts(source, host)
    assert [(r.a_span, r.b_span) for r in mirrored] == [(records[0].b_span, records[0].a_span)]


# 1. A sentence the source says twice (a recap, a quote repeated) stretched the source's span of a verbatim copy
#    over text the copy never holds, and the copy was called "edited".
def test_a_sentence_said_twice_in_the_source_does_not_stretch_a_copys_span():
    copied = "\n\n".join(FLOOD[3:6])
    source = "\n\n".join(FLOOD) + "\n"
    _one_verbatim("\n\n".join(REEF).format(copy=copied) + "\n", source, copied)


def test_a_quote_said_twice_with_and_without_its_speaker_does_not_stretch_a_copys_span():
    quote = '"Every dollar will be traced, and every member will be made whole."'
    source = "\n\n".join([
        "A pensions clerk has been charged with stealing $4 million from the fund he worked for over seven years.",
        "Prosecutors said he paid the money to forty members who had died, then moved it into accounts he held "
        "under false names.",
        quote[:-2] + ',"' + " the fund's chair, Patricia Ndlovu, said at a news conference outside the fund's "
        "offices on Marlowe Street.",
        "Detective Inspector Lewis Garrow said the fund's own auditors had raised the alarm in January after "
        "noticing that a member born in 1921 was still drawing a pension.",
        "Pryce was released on bail and is due to appear at Carrowmore District Court on June 14.",
        "Pryce had worked in the fund's payroll office since 2009 and was promoted to senior clerk in 2016, a year "
        "before the thefts are alleged to have begun.",
        quote,
        "The fund's board apologised to members and said it had tightened its controls."]) + "\n"
    copied = ("Pryce was released on bail and is due to appear at Carrowmore District Court on June 14. "
              "Pryce had worked in the fund's payroll office since 2009 and was promoted to senior clerk in 2016, "
              "a year before the thefts are alleged to have begun. " + quote)
    host = ("The chess candidates tournament opened in Madrid on Sunday with four draws in the first round.\n\n"
            "The Norwegian grandmaster played a quiet line of the Catalan and offered a draw after thirty moves. "
            + copied + " In Monday's other games the defending champion drew with black against the young Indian "
            "challenger.\n\nThe winner of the event earns the right to challenge for the world title next year.\n")
    records = align_texts(host, source)
    assert [(r.kind, r.b_span) for r in records] == [
        ("verbatim", (source.index(copied[:40]), source.index(quote, source.index(copied[:40])) + len(quote)))]


def test_a_copied_sentence_seeding_its_neighbour_too_does_not_stretch_the_span():
    """The copy's first sentence also seeded the sentence before it in the source (cosine 0.57, the same
    names): the source's span began in the paragraph before the copy."""
    source = ARTICLE.read_text(encoding="utf-8")
    copied = "\n\n".join(source.split("\n\n")[2:5])
    host = ("The weather was mild on Sunday and the farmers market opened early in the square.\n\n" + copied +
            "\n\nThe library will close for renovation in March and reopen in the autumn with longer hours.")
    _one_verbatim(host, source, copied)


def test_a_sentence_split_in_two_still_aligns_with_both_halves():
    """What the stray seeds' rule must not cut: the copy's last sentence seeding the two adjacent sentences of the
    source it was made of, neither a copy of it."""
    met = "The council met for six hours before the vote on Tuesday evening in the old town hall. "
    source = (f"Budget approved after long debate\n\n{met}The council approved the budget with seven votes to two. "
              "It adds twelve million for road repairs across the northern districts.\n\nOther business was "
              "deferred until the next meeting.\n")
    host = (f"Local news in brief\n\n{met}The council approved the budget with seven votes to two, adding twelve "
            "million for road repairs across the northern districts.\n\nThe library reopens next week.\n")
    [record] = align_texts(host, source)
    assert record.b_span == (source.index(met), source.index("districts.") + len("districts."))
    assert len(record.sentences) == 3


# 2. A run of N sentence marks before a letter took N² steps to split (20,000 dots and an "x": 25 s; a crafted
#    page stalled `scan`, `index check` and `align`). The bound turns a hang into a failure; it is never near.
def test_a_long_run_of_marks_before_a_letter_splits_in_linear_time():
    code = ("from dedup.text.segment import sentence_spans\n"
            "for mark in '.!?':\n"
            "    assert sentence_spans('Title here. ' + mark * 300_000 + 'x and more.')\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


# 3. An index path the file system refuses: a name too long gave a 42-line traceback from every `dedup index`
#    command and a bare OSError from `Index` (not an IndexStoreError); a path through a file was said as
#    "folder 'doc.txt' does not exist".
@pytest.mark.parametrize("command", [["stats"], ["check"], ["compact"], ["remove", "{db}", "a"],
                                     ["expire", "{db}", "--older-than", "1d"], ["query", "{db}", "{doc}"],
                                     ["add", "{db}", "{doc}"]])
def test_an_index_name_too_long_is_one_line(tmp_path, command):
    doc = tmp_path / "doc.txt"
    doc.write_text("Title\n\nSome words about a harbour pier closing for repairs.\n", encoding="utf-8")
    db = str(tmp_path / ("x" * 300 + ".db"))
    args = [a.format(db=db, doc=doc) for a in command] if len(command) > 1 else [command[0], db]
    result = CliRunner().invoke(main, ["index", *args])
    assert result.exit_code == 1, result.output
    assert result.output.strip().endswith(".db: File name too long") and result.output.count("\n") == 1
    with pytest.raises(IndexLocationError, match="File name too long"):
        Index(db)


def test_an_index_path_through_a_file_says_so(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Title\n\nSome words about a harbour pier closing for repairs.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "add", str(doc / "news.db"), str(doc)])
    assert result.exit_code == 1
    assert result.output == f"dedup: error: {doc / 'news.db'}: {doc} is not a folder\n"
    with pytest.raises(IndexLocationError, match="is not a folder"):
        Index(str(doc / "news.db"))


# 4. `clean --sentences` wrote a paragraph it cut a sentence out of in NFKC: "10⁶ visitors" became "106 visitors",
#    "m²" "m2", curly quotes straight; the sentences kept are now written as given.
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_clean_sentences_keeps_the_other_sentences_as_given(tmp_path, line_end):
    restated = ("The city council approved a plan on Monday to build a new public park beside the river in the "
                "northern district.")
    kept = ("Residents gathered outside the town hall to watch the vote. {restated} The park will cover 40,000 m² "
            "and serve 10⁶ visitors a year, at ½ the cost of the ﬁrst design, the mayor’s office said.")
    text = line_end.join(["Council approves new park plan", "", restated, "", kept.format(restated=restated), ""])
    article = tmp_path / "park.txt"
    article.write_bytes(text.encode("utf-8"))
    out = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["clean", str(article), "--sentences", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 sentence" in result.output
    assert out.read_bytes() == text.replace(restated + " The park", "The park").encode("utf-8")


# 5. Invisible characters inside words (a zero-width joiner, non-joiner, word joiner, direction mark; a zero-width
#    space on the reuse paths) split them: a copy with one in every word shared no word with its source, for
#    `align` and reuse, and was no near-duplicate to the index. Soft hyphens were read through already.
@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\u200e", "\u200f"])
def test_invisible_characters_inside_words_hide_no_copy(tmp_path, invisible):
    from dedup.text.words import words

    source = ARTICLE.read_text(encoding="utf-8")
    copy = " ".join(word[:2] + invisible + word[2:] if len(word) > 3 else word for word in source.split(" "))
    assert words(copy) == words(source)
    [record] = align_texts(copy, source)
    assert record.a_span == (0, len(copy.rstrip())) and record.b_span == (0, len(source.rstrip()))
    with Index(str(tmp_path / "pages.db")) as index:
        index.add("source", source)
        assert index.check("copy", copy).is_duplicate


# 6. `clean` removed a paragraph repeating an earlier one with one fact changed, in wordings the fact rules did not
#    read: "higher" where the earlier paragraph said "lower" and "set up" (whose "up" read as a rise), "six months"
#    where it said "six weeks" (and "a month" of a price), a statement by a source named in more than four words,
#    and turns of words no group held. A true restatement in the same frame is still removed.
FRAME = ["Local Officials Outline Plans for the Coming Year",
         "Officials gave a briefing to reporters at City Hall on Thursday morning about the year ahead.",
         "The briefing covered transport, housing and the city's parks department.",
         "{first}",
         "Several residents attended the briefing and asked questions about parking fees.",
         "A recording of the briefing will be posted on the city's website.",
         "{second}",
         "The next briefing is scheduled for the spring."]
CHANGED = {
    'setup_higher': ("Production will move to the company's newer factory in Carver, where wages are lower and the lines are already set up for electric vehicles.", "Production will move to the company's newer factory in Carver, where wages are higher and the lines are already set up for electric vehicles."),
    'month_elsewhere': ('The drug will cost about $900 a month and will be available in pharmacies in about six weeks, the company said.', 'The drug will cost about $900 a month and will be available in pharmacies in about six months, the company said.'),
    'union_speaker': ('The United Auto Workers local said it had not been told of the decision before it was announced.', "The plant managers' association said it had not been told of the decision before it was announced."),
    'named_speaker_to_company': ('The United Auto Workers local said it had not been told of the decision before it was announced.', 'The company said it had not been told of the decision before it was announced.'),
    'strongest': ('The National Weather Service said the storm was the strongest to hit the area since 2011.', 'The National Weather Service said the storm was the weakest to hit the area since 2011.'),
    'older_younger': ('The council found that the pipes in the north district are older than those in the city centre.', 'The council found that the pipes in the north district are younger than those in the city centre.'),
    'coastal_inland': ('Governor Ray Tolliver declared a state of emergency for the coastal counties on Sunday evening.', 'Governor Ray Tolliver declared a state of emergency for the inland counties on Sunday evening.'),
    'imports_exports': ("The country's imports of steel rose by a fifth last year, according to the trade ministry.", "The country's exports of steel rose by a fifth last year, according to the trade ministry."),
    'lent_borrowed': ('The city lent $20 million to the transit authority to keep buses running through the winter.', 'The city borrowed $20 million from the transit authority to keep buses running through the winter.'),
    'kept_forecast': ('The company raised its forecast for the full year and said it expected sales to grow between 5 and 7 percent.', 'The company kept its forecast for the full year and said it expected sales to grow between 5 and 7 percent.'),
    'acres_hectares': ('The developer bought 400 acres of farmland north of the river for the new housing estate, records show.', 'The developer bought 400 hectares of farmland north of the river for the new housing estate, records show.'),
    'decades_years': ("The mill, which had been the town's largest employer for three decades, will close in March.", "The mill, which had been the town's largest employer for three years, will close in March."),
    'defence_witness': ('The trial is expected to last three weeks, and prosecutors plan to call about 20 witnesses, including two former board members.', 'The trial is expected to last three weeks, and the defence plans to call about 20 witnesses, including two former board members.'),
    'hedge_added': ('The senator accepted bribes from a construction company in exchange for votes on road contracts, court records show.', 'The senator allegedly accepted bribes from a construction company in exchange for votes on road contracts, court records show.'),
    'since_until': ('The road has been closed to heavy trucks since 2019, the transport department said.', 'The road was closed to heavy trucks until 2019, the transport department said.'),
}


def _cleaned(tmp_path, first: str, second: str) -> str:
    article = tmp_path / "article.txt"
    article.write_text("\n\n".join(FRAME).format(first=first, second=second) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(article), "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 0, result.output
    return (tmp_path / "out.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_clean_keeps_a_paragraph_with_one_fact_changed(tmp_path, name):
    first, second = CHANGED[name]
    assert second in _cleaned(tmp_path, first, second)


def test_clean_still_removes_the_same_paragraph_repeated(tmp_path):
    first = CHANGED["setup_higher"][0]
    assert _cleaned(tmp_path, first, first).count(first) == 1


# 7. One text against itself (`align_texts(t)`): a title and a repeated photo caption grouped with later
#    restatements made a record whose second span held its first (energy_pipeline_leak: 706 characters shared).
def test_a_text_aligned_with_itself_never_restates_a_passage_by_one_holding_it():
    records = 0
    for path in sorted((ARTICLE.parent / "dev").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for record in align_texts(text):
            records += 1
            (start, end), (other_start, other_end) = record.a_span, record.b_span
            assert end <= other_start or other_end <= start, (path.name, record.a_span, record.b_span)
    assert records >= 10



# 8. The reviewer of this round's fixes: "closed up 2 percent" lost its rise ("closed" read as a phrasal verb) and
#    a paragraph stating the opposite movement was removed; "kept" and "several" in the new word groups kept true
#    restatements; a seed past a gap was dropped as a repeat though it was the closer one (the copy's source).
@pytest.mark.parametrize("first, second, removed", [
    ("The Dow Jones index closed down 2 percent on Friday after the jobs report.",
     "The Dow Jones index closed up 2 percent on Friday after the jobs report.", False),
    ("Covid cases in the county went up 10 percent last week, health officials said.",
     "Covid cases in the county came down 10 percent last week, health officials said.", False),
    ("Volunteers raised 5,000 pounds to keep the animal shelter open through the winter.",
     "Volunteers raised 5,000 pounds, which kept the animal shelter open throughout the winter.", True),
    # A second edit beside the word of the groups: a sentence changed in one place only is kept (``one_change``).
    ("Many residents complained about the noise from the new factory on Mill Road.",
     "Several residents complained about the noise coming from the new factory on Mill Road.", True)])
def test_the_word_rules_read_directions_and_restatements(tmp_path, first, second, removed):
    assert (_cleaned(tmp_path, first, second).count(second) == 0) == removed


def test_a_seed_past_a_gap_that_is_the_closer_one_is_kept():
    source = ["The regional council approved a new budget of twelve million pounds for flood defences along the "
              "river on Tuesday night.",
              "Weather forecasters expect another wet winter across the northern hills and coastal towns this year.",
              "Engineers will raise the embankments near the old mill and replace three ageing pumping stations.",
              "Work on the first section is due to begin in the spring and should take about eighteen months to "
              "finish.",
              "Local farmers, who lost much of last year's harvest to the floods, welcomed the decision at a public "
              "meeting.",
              "Again, the regional council approved a new budget of twelve million pounds for flood defences along "
              "the river."]
    copy = ["On Tuesday night the regional council backed a fresh budget of twelve million pounds for river flood "
            "defences.",
            "Engineers are to raise embankments by the old mill and replace three ageing pumping stations.",
            "Work on the first section should begin in spring and take around eighteen months to finish.",
            "Local farmers, who lost much of their harvest to last year's floods, welcomed the decision at a public "
            "meeting."]
    [record] = align_texts(" ".join(source), " ".join(copy))
    assert record.a_span[0] == 0 and record.b_span == (0, len(" ".join(copy)))
    assert any(pair.a == source[0] and pair.b == copy[0] for pair in record.sentences)


def test_clean_sentences_keeps_a_paragraphs_indent_and_trailing_spaces(tmp_path):
    restated = "The council approved the new park beside the river in the northern district on Monday."
    text = (f"Council approves park\n\n{restated}\n\n    Mayor Lopez spoke first at the meeting. {restated} "
            "Work starts in June.  \n\nThe next meeting is in March.\n")
    article = tmp_path / "park.txt"
    article.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(article), "--sentences", "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == text.replace(f"{restated} Work", "Work")


def test_clean_sentences_finds_the_sentences_as_given_in_linear_time():
    """The first version searched the whole paragraph for each sentence's edge: 2,000 sentences took 68 s. The
    bound turns a hang into a failure; it is never near (20,000 sentences: about a second)."""
    code = ("from dedup.io.clean import _without_as_given\n"
            "from dedup.text.segment import segment\n"
            "given = ' '.join(f'Sentence number {k} says the \\ufb01rst thing about {k} items.' for k in range(20000))\n"
            "[paragraph] = segment(given)\n"
            "kept = _without_as_given(given, paragraph, set(range(0, len(paragraph.sentences), 2)))\n"
            "assert kept.startswith('Sentence number 1 says the \\ufb01rst') and 'number 2 says' not in kept\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_a_line_repeated_all_through_a_text_aligns_in_linear_time():
    """The stray seeds' rule first took one copy of a repeated line off at a time, the whole group read each
    time: 2,000 lines took 9 s. The bound turns a hang into a failure (16,000 lines: under a second now)."""
    code = ("from dedup import align_texts\n"
            "a = 'A short intro here.\\n\\nRead more about this story on our website today.\\n\\nThe end of it.\\n'\n"
            "b = '\\n\\n'.join('Read more about this story on our website today.' if k % 2 else\n"
            "                 f'Line {k} tells of the river and the bridge near {k} streets.' for k in range(16000))\n"
            "assert align_texts(a, b) == align_texts(b, a) == []\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)



@pytest.mark.parametrize("sentence, partner", [
    ("The firm set up 3 new plants, but output fell.", "Output fell, though 3 new plants were set up by the firm."),
    ("The city put up 200 new homes while crime fell.", "Crime fell while 200 new homes were put up by the city.")])
def test_a_phrasal_up_before_a_count_is_no_rise(sentence, partner):
    """The second reviewer: "set up 3 new plants" read as a rise (an amount after "up" made one whatever the verb)."""
    from dedup.text.facts import says_more

    assert not says_more(sentence, partner, partner)
