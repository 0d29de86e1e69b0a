SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE t."available" = ?) AS _dbrest_t
-- params: ["id", 1]
