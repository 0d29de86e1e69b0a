SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_patch('{}', json_object(?, _dbrest_t.id, ?, _dbrest_t.year))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", t."year" AS "year" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "year", "response.headers", "response.status"]
