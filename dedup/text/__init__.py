"""The text front-end: normalize, segment into paragraphs and sentences, words and stems, tokens and their hashes."""
