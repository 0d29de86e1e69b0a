SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE t."year" > ? AND t."year" <= ? AND t."price" >= ? AND t."id" < ? AND t."title" != ?) AS _dbrest_t
-- params: ["id", 1950, 2000, 9.5, 20, "Dune"]
