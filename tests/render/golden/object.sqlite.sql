SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.title)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", t."title" AS "title" 
FROM "books" AS t 
WHERE t."id" = ?) AS _dbrest_t
-- params: ["id", "title", "response.headers", "response.status", 1]
