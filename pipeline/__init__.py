"""Thai text processing: normalise, tokenise, entities, officials; then load."""
