-- step:
CREATE TEMP TABLE IF NOT EXISTS "_dbrest_mut_authors" AS SELECT * FROM main."authors" WHERE 0
-- params: []
-- step:
DELETE FROM temp."_dbrest_mut_authors"
-- params: []
-- step (copy):
INSERT INTO "authors" DEFAULT VALUES RETURNING *
-- params: []
-- copy: INSERT INTO temp."_dbrest_mut_authors" VALUES 
-- main:
SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object()), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT 1 
FROM "_dbrest_mut_authors" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
