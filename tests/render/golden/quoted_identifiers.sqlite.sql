SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t."my key", ?, _dbrest_t.y)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."title" AS "my key", t."year" AS "y" 
FROM "books" AS t ORDER BY t."title" ASC NULLS LAST) AS _dbrest_t
-- params: ["my key", "y", "response.headers", "response.status"]
