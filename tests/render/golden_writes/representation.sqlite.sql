-- step:
CREATE TEMP TABLE IF NOT EXISTS "_dbrest_mut_books" AS SELECT * FROM main."books" WHERE 0
-- params: []
-- step:
DELETE FROM temp."_dbrest_mut_books"
-- params: []
-- step (copy):
INSERT INTO "books" ("id", "title") SELECT "_body"."id", "_body"."title" 
FROM (SELECT (_elem.value ->> ?) AS "id", (_elem.value ->> ?) AS "title" FROM json_each(?) AS _elem) AS "_body" RETURNING *
-- params: ["$.\"id\"", "$.\"title\"", "[{\"id\":1,\"title\":\"Dune\"}]"]
-- copy: INSERT INTO temp."_dbrest_mut_books" VALUES 
-- main:
SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.title)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", t."title" AS "title" 
FROM "_dbrest_mut_books" AS t) AS _dbrest_t
-- params: ["id", "title", "response.headers", "response.status"]
