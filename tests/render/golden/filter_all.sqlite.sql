SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE NOT EXISTS (SELECT 1 FROM json_each(?) AS _q WHERE NOT (t."year" > _q.value)) AND NOT EXISTS (SELECT 1 FROM json_each(?) AS _q WHERE NOT (lower(t."title") GLOB lower(_q.value)))) AS _dbrest_t
-- params: ["id", "[1900,1950]", "[\"*a*\",\"*e*\"]"]
