SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t
 LIMIT ? OFFSET ?) AS _dbrest_t
-- params: ["id", "response.headers", "response.status", 10, 20]
