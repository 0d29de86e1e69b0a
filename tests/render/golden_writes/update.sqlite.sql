-- step:
CREATE TEMP TABLE IF NOT EXISTS "_dbrest_mut_books" AS SELECT * FROM main."books" WHERE 0
-- params: []
-- step:
DELETE FROM temp."_dbrest_mut_books"
-- params: []
-- step (copy):
UPDATE "books" AS t SET "year"="_body"."year", "title"="_body"."title" FROM (SELECT (_elem.value ->> ?) AS "title", (_elem.value ->> ?) AS "year" FROM json_each(?) AS _elem WHERE _elem.key = 0) AS "_body" WHERE t."id" = ? AND t."year" < ? RETURNING *
-- params: ["$.\"title\"", "$.\"year\"", "[{\"title\":\"New\",\"year\":2001}]", 1, 2000]
-- copy: INSERT INTO temp."_dbrest_mut_books" VALUES 
-- main:
SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object()), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT 1 
FROM "_dbrest_mut_books" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
