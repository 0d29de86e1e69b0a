SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id", t."title" AS "title" 
FROM "public"."books" AS t) AS _dbrest_t
-- params: []
