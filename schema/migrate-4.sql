-- Schema 3 -> 4: warnings an import noticed.
ALTER TABLE snapshot ADD COLUMN warnings TEXT;
