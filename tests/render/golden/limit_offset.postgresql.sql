SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
 LIMIT $1 OFFSET $2) AS _dbrest_t
-- params: [10, 20]
