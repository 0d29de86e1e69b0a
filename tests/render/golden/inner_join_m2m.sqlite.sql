SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, json(_dbrest_t.tags))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT coalesce(json_group_array(json_object(?, _dbrest_t_t1.name)), '[]') AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "tags" AS t1 JOIN "book_tags" AS t2 ON t2."tag_id" = t1."id" 
WHERE t2."book_id" = t."id" AND t1."name" = ?) AS _dbrest_t_t1) AS "tags" 
FROM "books" AS t 
WHERE EXISTS (SELECT 1 
FROM "tags" AS t1 JOIN "book_tags" AS t2 ON t2."tag_id" = t1."id" 
WHERE t2."book_id" = t."id" AND t1."name" = ?)) AS _dbrest_t
-- params: ["id", "tags", "response.headers", "response.status", "name", "classic", "classic"]
