SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE t."year" IS NULL AND t."available" IS TRUE AND NOT t."title" IS NULL AND t."meta" IS NULL) AS _dbrest_t
-- params: ["id", "response.headers", "response.status"]
