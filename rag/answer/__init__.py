"""Stage 4: passages become an answer — the sentence, the short answer (rules and the trained reader), citations."""
