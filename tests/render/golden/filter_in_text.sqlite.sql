SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE t."title" IN (SELECT value FROM json_each(?))) AS _dbrest_t
-- params: ["id", "[\"Dune, Messiah\",\"Kindred\"]"]
