SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body 
FROM (SELECT t."id" AS "id" 
FROM "public"."books" AS t 
WHERE to_tsvector(t."title") @@ plainto_tsquery(CAST($1 AS TEXT))) AS _dbrest_t
-- params: ["cat dog"]
