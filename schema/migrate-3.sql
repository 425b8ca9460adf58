-- Schema 2 -> 3: kvcheck --save (the finding table comes from schema.sql).
SELECT 1;
