SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE NOT (EXISTS (SELECT 1 
FROM "authors" AS t1 
WHERE t1."id" = t."author_id"))) AS _dbrest_t
-- params: ["id", "response.headers", "response.status"]
