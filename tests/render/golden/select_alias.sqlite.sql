SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.name)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", t."title" AS "name" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "name", "response.headers", "response.status"]
