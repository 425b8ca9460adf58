-- Schema 4 -> 5: the input file's modification time, kept apart from the capture time.
ALTER TABLE snapshot ADD COLUMN file_mtime TEXT;
