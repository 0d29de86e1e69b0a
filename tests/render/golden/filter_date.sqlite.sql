SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE date(t."published") >= date(?) AND date(t."published") IN (SELECT date(value) FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM json_each(?) AS _q WHERE NOT (date(t."published") < date(_q.value)))) AS _dbrest_t
-- params: ["id", "response.headers", "response.status", "2024-04-10", "[\"2024-01-01\",\"2024-02-02\"]", "[\"2025-01-01\"]"]
