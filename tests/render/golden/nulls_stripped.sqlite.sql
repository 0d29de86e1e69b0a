SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_patch('{}', json_object(?, _dbrest_t.id, ?, _dbrest_t.year))), '[]') AS body 
FROM (SELECT t."id" AS "id", t."year" AS "year" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "year"]
