SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t ORDER BY t."year" DESC NULLS LAST, t."title" ASC NULLS LAST, t."price" ASC NULLS FIRST) AS _dbrest_t
-- params: ["id", "response.headers", "response.status"]
