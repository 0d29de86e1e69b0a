SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "articles" AS t 
WHERE t."id" IN (SELECT rowid FROM "articles_fts" WHERE "articles_fts"."body" MATCH ?)) AS _dbrest_t
-- params: ["id", "response.headers", "response.status", "(\"fat cat\") OR ((\"dog\") NOT (\"rat\"))"]
