SELECT (SELECT count(*) AS count_1 
FROM "books" AS t 
WHERE t."year" > ?) AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE t."year" > ?) AS _dbrest_t
-- params: [2000, "id", "response.headers", "response.status", 2000]
