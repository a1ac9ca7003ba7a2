"""Downloads of lists: the file formats (`formats.py`) and the registered lists with their rows (`sources.py`)."""
