SELECT (SELECT count(*) AS count_1 
FROM "books" AS t 
WHERE t."year" > ?) AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE t."year" > ?) AS _dbrest_t
-- params: [2000, "id", 2000]
