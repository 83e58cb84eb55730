from bot.core.text import MAX_ANALYSED_CHARS, normalise, words


def test_hidden_characters_and_marks_are_removed() -> None:
    # zero-width joiner, RTL override, zalgo marks and curly quotes cannot hide a word
    assert normalise("k\u200dil\u202el m\u0336y\u0335s\u0337elf") == "kill myself"
    assert normalise("I\u2019m  FINE") == "i'm fine"


def test_stretched_letters_are_shortened() -> None:
    assert normalise("pleeeeease helppppp") == "pleease helpp"


def test_very_long_input_is_bounded() -> None:
    assert len(normalise("a " * 100_000)) <= MAX_ANALYSED_CHARS


def test_words_keep_apostrophes_and_hyphens() -> None:
    assert words("don't take 7-oh") == ["don't", "take", "7-oh"]
