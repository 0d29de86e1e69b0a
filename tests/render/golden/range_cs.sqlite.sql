SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE (CASE WHEN t."labels" IS NULL THEN NULL ELSE (json_type(t."labels") = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(?) AS _v WHERE NOT EXISTS (SELECT 1 FROM json_each(t."labels") AS _c WHERE (_c.type = _v.type OR (_c.type IN ('integer', 'real') AND _v.type IN ('integer', 'real'))) AND _c.value = _v.value))) END)) AS _dbrest_t
-- params: ["id", "response.headers", "response.status", "[\"a\",\"b\"]"]
