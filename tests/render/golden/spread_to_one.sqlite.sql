SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.title, ?, _dbrest_t.author, ?, _dbrest_t.born)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."title" AS "title", (SELECT t1."name" AS "author" 
FROM "authors" AS t1 
WHERE t1."id" = t."author_id") AS "author", (SELECT t1."born" AS "born" 
FROM "authors" AS t1 
WHERE t1."id" = t."author_id") AS "born" 
FROM "books" AS t) AS _dbrest_t
-- params: ["title", "author", "born", "response.headers", "response.status"]
