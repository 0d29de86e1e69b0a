SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.name, ?, _dbrest_t.born)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", t."name" AS "name", t."born" AS "born" 
FROM "authors" AS t) AS _dbrest_t
-- params: ["id", "name", "born", "response.headers", "response.status"]
