-- step (counts_existing):
SELECT count(*) AS count_1 
FROM "publishers" 
WHERE ("publishers"."name") IN (SELECT "_body"."name" 
FROM (SELECT (_elem.value ->> ?) AS "name" FROM json_each(?) AS _elem) AS "_body")
-- params: ["$.\"name\"", "[{\"name\":\"P\",\"city\":\"C\"}]"]
-- step:
CREATE TEMP TABLE IF NOT EXISTS "_dbrest_mut_publishers" AS SELECT * FROM main."publishers" WHERE 0
-- params: []
-- step:
DELETE FROM temp."_dbrest_mut_publishers"
-- params: []
-- step (copy):
INSERT INTO "publishers" ("name", "city") SELECT "_body"."name", "_body"."city" 
FROM (SELECT (_elem.value ->> ?) AS "name", (_elem.value ->> ?) AS "city" FROM json_each(?) AS _elem) AS "_body" 
WHERE 1 = 1 ON CONFLICT ("name") DO UPDATE SET "name" = excluded."name", "city" = excluded."city" RETURNING *
-- params: ["$.\"name\"", "$.\"city\"", "[{\"name\":\"P\",\"city\":\"C\"}]"]
-- copy: INSERT INTO temp."_dbrest_mut_publishers" VALUES 
-- main:
SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object()), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status, NULL AS inserted 
FROM (SELECT 1 
FROM "_dbrest_mut_publishers" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
